/** Every segment with its priority, state and current member count; a row opens its editor. */
import { Badge, Button, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { Layouts, Page, useRBAC } from '@strapi/strapi/admin';
import { useEffect } from 'react';
import { useNavigate } from 'react-router-dom';
import { useAdminData, type Segment } from '../api';
import { PLUGIN_ID } from '../pluginId';

/** How often the member counts are refreshed. */
const COUNT_REFRESH_MS = 5_000;

export function SegmentsListPage() {
  const navigate = useNavigate();
  const { allowedActions } = useRBAC([{ action: 'plugin::personalize.segments.manage', subject: null }]);
  const segments = useAdminData<Segment[]>(`/${PLUGIN_ID}/segments`);
  // Member counts move as visitors act: refresh them while the page is open.
  const { reload } = segments;
  useEffect(() => {
    const timer = setInterval(reload, COUNT_REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  if (segments.loading && !segments.data) return <Page.Loading />;
  if (segments.error) return <Page.Error />;
  const rows = segments.data ?? [];

  return (
    <Page.Main>
      <Page.Title>Segments</Page.Title>
      <Layouts.Header
        title="Segments"
        subtitle={`${rows.length} audience${rows.length === 1 ? '' : 's'}; content tagged with a segment is shown to its members only`}
        secondaryAction={
          <Button variant="tertiary" onClick={() => navigate('scores')}>
            Scores
          </Button>
        }
        primaryAction={
          allowedActions.canManage ? (
            <Button startIcon={<Plus />} onClick={() => navigate('new')}>
              Create a segment
            </Button>
          ) : null
        }
      />
      <Layouts.Content>
        <Table colCount={5} rowCount={rows.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">Name</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">Key</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">Priority</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">State</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">Members</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((segment) => (
              <Tr
                key={segment.documentId}
                onClick={() => navigate(segment.documentId)}
                style={{ cursor: 'pointer' }}
              >
                <Td>
                  <Typography fontWeight="bold">{segment.name}</Typography>
                </Td>
                <Td>
                  <Typography textColor="neutral600">{segment.key}</Typography>
                </Td>
                <Td>
                  <Typography>{segment.priority}</Typography>
                </Td>
                <Td>{segment.enabled ? <Badge active>Enabled</Badge> : <Badge>Disabled</Badge>}</Td>
                <Td>
                  <Typography>{segment.members ?? '–'}</Typography>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      </Layouts.Content>
    </Page.Main>
  );
}
