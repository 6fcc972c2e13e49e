/**
 * "Preview as segment", a side panel of the Content Manager's edit view: for the entry being
 * edited, what a visitor in each segment (and in none) gets: the entry itself or not, and which
 * blocks. Shown only for content types that carry segment tags, and only to admins who may read
 * segments. The server decides with the same variant rules the GraphQL endpoint serves with.
 */
import { Badge, Box, Flex, Typography } from '@strapi/design-system';
import { useRBAC } from '@strapi/strapi/admin';
import type { PanelComponent } from '@strapi/content-manager/strapi-admin';
import { useAdminData } from '../api';
import { PLUGIN_ID } from '../pluginId';

interface PreviewBlock {
  index: number;
  label: string;
  segment: string | null;
}

interface PreviewAudience {
  segment: string | null;
  name: string;
  shown: boolean;
  chosenBy: string | null;
  blocks: Record<string, PreviewBlock[]>;
}

const READ = [{ action: 'plugin::personalize.segments.read', subject: null }];

export const PreviewPanel: PanelComponent = ({ model, documentId, document }) => {
  const { allowedActions } = useRBAC(READ);
  const tagged = Boolean(document) && model.startsWith('api::');
  const locale = typeof document?.locale === 'string' ? `?locale=${encodeURIComponent(document.locale)}` : '';
  const preview = useAdminData<{ published: boolean; audiences: PreviewAudience[] }>(
    tagged && documentId && allowedActions.canRead
      ? `/${PLUGIN_ID}/preview/${model}/${documentId}${locale}`
      : null,
  );
  if (!tagged || !documentId || !allowedActions.canRead) return null;

  return {
    title: 'Preview as segment',
    content: (
      <Flex direction="column" alignItems="stretch" gap={3} width="100%">
        {preview.error ? <Typography textColor="danger600">{preview.error}</Typography> : null}
        {preview.data && !preview.data.published ? (
          <Typography variant="pi" textColor="neutral600">
            Not published yet: visitors see nothing of it. Showing the draft.
          </Typography>
        ) : null}
        {(preview.data?.audiences ?? []).map((audience) => (
          <Box key={audience.segment ?? '(none)'} padding={2} hasRadius background="neutral100">
            <Flex justifyContent="space-between" gap={2}>
              <Typography fontWeight="bold">{audience.name}</Typography>
              {audience.shown ? <Badge active>shown</Badge> : <Badge>hidden</Badge>}
            </Flex>
            {Object.entries(audience.blocks).map(([attribute, blocks]) => (
              <Typography key={attribute} variant="pi" tag="p" textColor="neutral700">
                {attribute}:{' '}
                {blocks.length === 0 ? 'no block' : blocks.map((block) => block.label).join(', ')}
              </Typography>
            ))}
          </Box>
        ))}
      </Flex>
    ),
  };
};
