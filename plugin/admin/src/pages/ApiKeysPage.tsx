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
import { describeError, useAdminData } from '../api';
import { PLUGIN_ID } from '../pluginId';

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
        message: action === 'rotate' ? `API key "${row.name}" rotated` : `API key "${row.name}" revoked`,
      });
      keys.reload();
    } catch (error) {
      toggleNotification({ type: 'danger', message: describeError(error).message });
    }
  };

  return (
    <Page.Main>
      <Page.Title>API keys</Page.Title>
      <Layouts.Header
        title="API keys"
        subtitle="Keys your servers call the personalize server API with (set a user’s traits, …)"
        primaryAction={
          creating ? null : (
            <Button startIcon={<Plus />} onClick={() => setCreating(true)}>
              Create an API key
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
                {['Name', 'Key', 'Scopes', 'Created', 'Last rotated', 'Last used', 'State', ''].map(
                  (title) => (
                    <Th key={title}>
                      <Typography variant="sigma">{title}</Typography>
                    </Th>
                  ),
                )}
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
                        previous key works until {when(row.previousValidUntil)}
                      </Typography>
                    ) : null}
                  </Td>
                  <Td>
                    <Typography>{when(row.lastUsedAt)}</Typography>
                  </Td>
                  <Td>
                    {row.revokedAt ? (
                      <Badge backgroundColor="danger100" textColor="danger700">
                        revoked {when(row.revokedAt)}
                      </Badge>
                    ) : (
                      <Badge backgroundColor="success100" textColor="success700">
                        active
                      </Badge>
                    )}
                  </Td>
                  <Td>
                    {row.revokedAt ? null : (
                      <Flex gap={2}>
                        <Dialog.Root>
                          <Dialog.Trigger>
                            <IconButton label="Rotate" variant="secondary">
                              <ArrowClockwise />
                            </IconButton>
                          </Dialog.Trigger>
                          <ConfirmDialog onConfirm={() => act(row, 'rotate')}>
                            Rotate "{row.name}"? A new key is shown once; the current one keeps working for
                            the grace period (1 hour by default) so you can deploy the new one.
                          </ConfirmDialog>
                        </Dialog.Root>
                        <Dialog.Root>
                          <Dialog.Trigger>
                            <IconButton label="Revoke" variant="danger-light">
                              <Trash />
                            </IconButton>
                          </Dialog.Trigger>
                          <ConfirmDialog onConfirm={() => act(row, 'revoke')}>
                            Revoke "{row.name}"? Every call with it is refused from now on, on every instance.
                          </ConfirmDialog>
                        </Dialog.Root>
                      </Flex>
                    )}
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
          {rows.length === 0 ? <Typography textColor="neutral600">No API keys yet.</Typography> : null}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}

function ShownKey({ name, apiKey, onDismiss }: { name: string; apiKey: string; onDismiss: () => void }) {
  return (
    <Box
      padding={6}
      background="warning100"
      hasRadius
      shadow="filterShadow"
      role="region"
      aria-label="New API key"
    >
      <Flex direction="column" alignItems="stretch" gap={3}>
        <Typography fontWeight="bold">
          The key of "{name}": copy it now, it is not shown again (only its hash is stored).
        </Typography>
        <Field.Root name="new-api-key">
          <Field.Label>API key</Field.Label>
          <TextInput
            aria-label="API key"
            value={apiKey}
            readOnly
            onFocus={(event) => event.target.select()}
          />
        </Field.Root>
        <Flex gap={2}>
          <Button variant="secondary" onClick={() => void navigator.clipboard?.writeText(apiKey)}>
            Copy
          </Button>
          <Button variant="tertiary" onClick={onDismiss}>
            I have stored it
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
          <Field.Label>Name</Field.Label>
          <TextInput
            aria-label="API key name"
            placeholder="CRM sync"
            value={name}
            onChange={(event: React.ChangeEvent<HTMLInputElement>) => setName(event.target.value)}
          />
        </Field.Root>
        <Flex direction="column" alignItems="flex-start" gap={2}>
          <Typography variant="pi" fontWeight="bold">
            Scopes
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
              {label}
            </Checkbox>
          ))}
        </Flex>
        <Flex gap={2}>
          <Button onClick={create}>Create</Button>
          <Button variant="tertiary" onClick={onCancel}>
            Cancel
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
