/**
 * Settings → Personalize → API keys: the keys a site's backend calls the server API with
 * (`POST /personalize/api/v1/traits`, ...). Shown to admins holding
 * `plugin::personalize.api-keys.manage`. A key is shown once, when created or rotated: only its
 * hash is stored. The list shows name, key prefix, scopes, dates and state, never a hash.
 */
import {
  Badge,
  Box,
  Button,
  Checkbox,
  Dialog,
  Field,
  Flex,
  IconButton,
  Table,
  Tbody,
  Td,
  TextInput,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowClockwise, Plus, Trash } from '@strapi/icons';
import { ConfirmDialog, Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useState } from 'react';
import { useIntl } from 'react-intl';
import { describeError, useAdminData } from '../api';
import { PLUGIN_ID } from '../pluginId';
import { getTranslation } from '../utils/translations';

export const MANAGE_API_KEYS = [{ action: 'plugin::personalize.api-keys.manage', subject: null }];

/** The scopes a key can carry; only `traits:write` has an operation today, the others are reserved. */
const SCOPES = [
  { scope: 'traits:write', label: 'traits:write: set a user’s traits' },
  { scope: 'events:write', label: 'events:write: send events' },
  { scope: 'profiles:read', label: 'profiles:read: read a profile’s segments' },
  { scope: 'profiles:erase', label: 'profiles:erase: erase a profile' },
];

interface ApiKey {
  documentId: string;
  keyId: string;
  prefix: string;
  name: string;
  scopes: string[];
  createdAt: string | null;
  rotatedAt: string | null;
  previousValidUntil: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const when = (value: string | null): string =>
  value ? new Date(value).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—';

export default function ApiKeysPage() {
  return (
    <Page.Protect permissions={MANAGE_API_KEYS}>
      <ApiKeys />
    </Page.Protect>
  );
}

function ApiKeys() {
  const { formatMessage } = useIntl();
  const keys = useAdminData<ApiKey[]>(`/${PLUGIN_ID}/api-keys`);
  const { post } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [creating, setCreating] = useState(false);
  /** The key just created or rotated: shown until dismissed, never again. */
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  if (keys.loading && !keys.data) return <Page.Loading />;
  if (keys.error) return <Page.Error />;
  const rows = keys.data ?? [];

  const act = async (row: ApiKey, action: 'rotate' | 'revoke') => {
    try {
      const response = await post<{ data: ApiKey & { key?: string } }>(
        `/${PLUGIN_ID}/api-keys/${row.documentId}/${action}`,
      );
      if (response.data.data.key) setShown({ name: row.name, key: response.data.data.key });
      toggleNotification({
        type: 'success',
        message:
          action === 'rotate'
            ? formatMessage(
                { id: getTranslation('apiKeys.rotated'), defaultMessage: 'API key "{name}" rotated' },
                { name: row.name },
              )
            : formatMessage(
                { id: getTranslation('apiKeys.revoked'), defaultMessage: 'API key "{name}" revoked' },
                { name: row.name },
              ),
      });
      keys.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: describeError(error).message });
    }
  };

  const title = formatMessage({ id: getTranslation('apiKeys.title'), defaultMessage: 'API keys' });
  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={formatMessage({
          id: getTranslation('apiKeys.subtitle'),
          defaultMessage: 'Keys your servers call the personalize server API with (set a user’s traits, …)',
        })}
        primaryAction={
          creating ? null : (
            <Button startIcon={<Plus />} onClick={() => setCreating(true)}>
              {formatMessage({ id: getTranslation('apiKeys.create'), defaultMessage: 'Create an API key' })}
            </Button>
          )
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {shown ? <ShownKey name={shown.name} apiKey={shown.key} onDismiss={() => setShown(null)} /> : null}
          {creating ? (
            <CreateForm
              onCancel={() => setCreating(false)}
              onCreated={(name, key) => {
                setCreating(false);
                setShown({ name, key });
                keys.reload();
              }}
            />
          ) : null}
          <Table colCount={8} rowCount={rows.length + 1}>
            <Thead>
              <Tr>
                {[
                  formatMessage({ id: getTranslation('apiKeys.column.name'), defaultMessage: 'Name' }),
                  formatMessage({ id: getTranslation('apiKeys.column.key'), defaultMessage: 'Key' }),
                  formatMessage({ id: getTranslation('apiKeys.column.scopes'), defaultMessage: 'Scopes' }),
                  formatMessage({ id: getTranslation('apiKeys.column.created'), defaultMessage: 'Created' }),
                  formatMessage({
                    id: getTranslation('apiKeys.column.rotated'),
                    defaultMessage: 'Last rotated',
                  }),
                  formatMessage({ id: getTranslation('apiKeys.column.used'), defaultMessage: 'Last used' }),
                  formatMessage({ id: getTranslation('apiKeys.column.state'), defaultMessage: 'State' }),
                  '',
                ].map((column) => (
                  <Th key={column}>
                    <Typography variant="sigma">{column}</Typography>
                  </Th>
                ))}
              </Tr>
            </Thead>
            <Tbody>
              {rows.map((row) => (
                <Tr key={row.documentId}>
                  <Td>
                    <Typography fontWeight="bold">{row.name}</Typography>
                  </Td>
                  <Td>
                    <Typography textColor="neutral600" tag="code" style={{ whiteSpace: 'nowrap' }}>
                      {row.prefix}…
                    </Typography>
                  </Td>
                  <Td>
                    <Flex gap={1} wrap="wrap">
                      {row.scopes.map((scope) => (
                        <Badge key={scope}>{scope}</Badge>
                      ))}
                    </Flex>
                  </Td>
                  <Td>
                    <Typography>{when(row.createdAt)}</Typography>
                  </Td>
                  <Td>
                    <Typography>{when(row.rotatedAt)}</Typography>
                    {row.previousValidUntil &&
                    !row.revokedAt &&
                    Date.parse(row.previousValidUntil) > Date.now() ? (
                      <Typography variant="pi" textColor="neutral600" tag="p">
                        {formatMessage(
                          {
                            id: getTranslation('apiKeys.previousUntil'),
                            defaultMessage: 'previous key works until {when}',
                          },
                          { when: when(row.previousValidUntil) },
                        )}
                      </Typography>
                    ) : null}
                  </Td>
                  <Td>
                    <Typography>{when(row.lastUsedAt)}</Typography>
                  </Td>
                  <Td>
                    {row.revokedAt ? (
                      <Badge backgroundColor="danger100" textColor="danger700">
                        {formatMessage(
                          { id: getTranslation('apiKeys.state.revoked'), defaultMessage: 'revoked {when}' },
                          { when: when(row.revokedAt) },
                        )}
                      </Badge>
                    ) : (
                      <Badge backgroundColor="success100" textColor="success700">
                        {formatMessage({
                          id: getTranslation('apiKeys.state.active'),
                          defaultMessage: 'active',
                        })}
                      </Badge>
                    )}
                  </Td>
                  <Td>
                    {row.revokedAt ? null : (
                      <Flex gap={2}>
                        <Dialog.Root>
                          <Dialog.Trigger>
                            <IconButton
                              label={formatMessage({
                                id: getTranslation('apiKeys.rotate'),
                                defaultMessage: 'Rotate',
                              })}
                              variant="secondary"
                            >
                              <ArrowClockwise />
                            </IconButton>
                          </Dialog.Trigger>
                          <ConfirmDialog onConfirm={() => act(row, 'rotate')}>
                            {formatMessage(
                              {
                                id: getTranslation('apiKeys.rotate.confirm'),
                                defaultMessage:
                                  'Rotate "{name}"? A new key is shown once; the current one keeps working for the grace period (1 hour by default) so you can deploy the new one.',
                              },
                              { name: row.name },
                            )}
                          </ConfirmDialog>
                        </Dialog.Root>
                        <Dialog.Root>
                          <Dialog.Trigger>
                            <IconButton
                              label={formatMessage({
                                id: getTranslation('apiKeys.revoke'),
                                defaultMessage: 'Revoke',
                              })}
                              variant="danger-light"
                            >
                              <Trash />
                            </IconButton>
                          </Dialog.Trigger>
                          <ConfirmDialog onConfirm={() => act(row, 'revoke')}>
                            {formatMessage(
                              {
                                id: getTranslation('apiKeys.revoke.confirm'),
                                defaultMessage:
                                  'Revoke "{name}"? Every call with it is refused from now on, on every instance.',
                              },
                              { name: row.name },
                            )}
                          </ConfirmDialog>
                        </Dialog.Root>
                      </Flex>
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
          {rows.length === 0 ? (
            <Typography textColor="neutral600">
              {formatMessage({ id: getTranslation('apiKeys.empty'), defaultMessage: 'No API keys yet.' })}
            </Typography>
          ) : null}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}

function ShownKey({ name, apiKey, onDismiss }: { name: string; apiKey: string; onDismiss: () => void }) {
  const { formatMessage } = useIntl();
  const apiKeyLabel = formatMessage({ id: getTranslation('apiKeys.key'), defaultMessage: 'API key' });
  return (
    <Box
      padding={6}
      background="warning100"
      hasRadius
      shadow="filterShadow"
      role="region"
      aria-label={formatMessage({ id: getTranslation('apiKeys.new'), defaultMessage: 'New API key' })}
    >
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Typography fontWeight="bold">
          {formatMessage(
            {
              id: getTranslation('apiKeys.shown'),
              defaultMessage:
                'The key of "{name}": copy it now, it is not shown again (only its hash is stored).',
            },
            { name },
          )}
        </Typography>
        <Field.Root name="new-api-key">
          <Field.Label>{apiKeyLabel}</Field.Label>
          <TextInput
            aria-label={apiKeyLabel}
            value={apiKey}
            readOnly
            onFocus={(event) => event.target.select()}
          />
        </Field.Root>
        <Flex gap={2}>
          <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(apiKey)}>
            {formatMessage({ id: getTranslation('apiKeys.copy'), defaultMessage: 'Copy' })}
          </Button>
          <Button variant="tertiary" onClick={onDismiss}>
            {formatMessage({ id: getTranslation('apiKeys.stored'), defaultMessage: 'I have stored it' })}
          </Button>
        </Flex>
      </Flex>
    </Box>
  );
}

function CreateForm({
  onCancel,
  onCreated,
}: {
  onCancel: () => void;
  onCreated: (name: string, key: string) => void;
}) {
  const { formatMessage } = useIntl();
  const { post } = useFetchClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['traits:write']);
  const [error, setError] = useState<string | null>(null);

  const create = async () => {
    setError(null);
    try {
      const response = await post<{ data: { key: string } }>(`/${PLUGIN_ID}/api-keys`, {
        data: { name, scopes },
      });
      onCreated(name, response.data.data.key);
    } catch (requestError) {
      setError(describeError(requestError).message);
    }
  };

  return (
    <Box padding={6} background="neutral0" hasRadius shadow="filterShadow">
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Field.Root name="api-key-name" required>
          <Field.Label>
            {formatMessage({ id: getTranslation('apiKeys.name'), defaultMessage: 'Name' })}
          </Field.Label>
          <TextInput
            aria-label={formatMessage({
              id: getTranslation('apiKeys.name.label'),
              defaultMessage: 'API key name',
            })}
            placeholder={formatMessage({
              id: getTranslation('apiKeys.name.placeholder'),
              defaultMessage: 'CRM sync',
            })}
            value={name}
            onChange={(event: React.ChangeEvent<HTMLInputElement>) => setName(event.target.value)}
          />
        </Field.Root>
        <Flex direction="column" alignItems="flex-start" gap={2}>
          <Typography variant="pi" fontWeight="bold">
            {formatMessage({ id: getTranslation('apiKeys.scopes'), defaultMessage: 'Scopes' })}
          </Typography>
          {SCOPES.map(({ scope, label }) => (
            <Checkbox
              key={scope}
              checked={scopes.includes(scope)}
              onCheckedChange={(checked) =>
                setScopes((old) =>
                  checked === true ? [...old, scope] : old.filter((item) => item !== scope),
                )
              }
            >
              {formatMessage({ id: getTranslation(`apiKeys.scope.${scope}`), defaultMessage: label })}
            </Checkbox>
          ))}
        </Flex>
        <Flex gap={2}>
          <Button onClick={create}>
            {formatMessage({ id: getTranslation('apiKeys.submit'), defaultMessage: 'Create' })}
          </Button>
          <Button variant="tertiary" onClick={onCancel}>
            {formatMessage({ id: getTranslation('apiKeys.cancel'), defaultMessage: 'Cancel' })}
          </Button>
        </Flex>
        {error ? (
          <Typography textColor="danger600" role="alert">
            {error}
          </Typography>
        ) : null}
      </Flex>
    </Box>
  );
}
