/** Every segment with its priority, state and current member count; a row opens its editor. */
import { Badge, Button, Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Plus } from '@strapi/icons';
import { Layouts, Page, useRBAC } from '@strapi/strapi/admin';
import { useEffect } from 'react';
import { useIntl } from 'react-intl';
import { useNavigate } from 'react-router-dom';
import { useAdminData, type Segment } from '../api';
import { PLUGIN_ID } from '../pluginId';
import { getTranslation } from '../utils/translations';

/** How often the member counts are refreshed. */
const COUNT_REFRESH_MS = 5_000;

export function SegmentsListPage() {
  const { formatMessage } = useIntl();
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
  const title = formatMessage({ id: getTranslation('segments.title'), defaultMessage: 'Segments' });
  const column = (id: string, defaultMessage: string) => (
    <Th>
      <Typography variant="sigma">{formatMessage({ id: getTranslation(id), defaultMessage })}</Typography>
    </Th>
  );

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={formatMessage(
          {
            id: getTranslation('segments.subtitle'),
            defaultMessage:
              '{count, plural, one {# audience} other {# audiences}}; content tagged with a segment is shown to its members only',
          },
          { count: rows.length },
        )}
        secondaryAction={
          <Button variant="tertiary" onClick={() => navigate('scores')}>
            {formatMessage({ id: getTranslation('segments.scores'), defaultMessage: 'Scores' })}
          </Button>
        }
        primaryAction={
          allowedActions.canManage ? (
            <Button startIcon={<Plus />} onClick={() => navigate('new')}>
              {formatMessage({ id: getTranslation('segments.create'), defaultMessage: 'Create a segment' })}
            </Button>
          ) : null
        }
      />
      <Layouts.Content>
        <Table colCount={5} rowCount={rows.length + 1}>
          <Thead>
            <Tr>
              {column('segments.column.name', 'Name')}
              {column('segments.column.key', 'Key')}
              {column('segments.column.priority', 'Priority')}
              {column('segments.column.state', 'State')}
              {column('segments.column.members', 'Members')}
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
                <Td>
                  {segment.enabled ? (
                    <Badge active>
                      {formatMessage({ id: getTranslation('segment.enabled'), defaultMessage: 'Enabled' })}
                    </Badge>
                  ) : (
                    <Badge>
                      {formatMessage({ id: getTranslation('segment.disabled'), defaultMessage: 'Disabled' })}
                    </Badge>
                  )}
                </Td>
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
