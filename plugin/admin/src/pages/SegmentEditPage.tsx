/**
 * Create or edit one segment: its key, name, priority and state, and its rule, either with the
 * visual builder or as JSON. A refused save shows the server's message under the field it names
 * (for a rule: the compiler's message with the path of the failing part).
 */
import {
  Box,
  Button,
  Dialog,
  Field,
  Flex,
  Grid,
  NumberInput,
  Tabs,
  Textarea,
  TextInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { Trash } from '@strapi/icons';
import {
  BackButton,
  ConfirmDialog,
  Layouts,
  Page,
  useFetchClient,
  useNotification,
  useRBAC,
} from '@strapi/strapi/admin';
import { useEffect, useMemo, useState } from 'react';
import { useIntl } from 'react-intl';
import { useNavigate, useParams } from 'react-router-dom';
import { describeError, useAdminData, type FieldError, type Segment } from '../api';
import { RuleBuilder } from '../components/RuleBuilder';
import { TryItPanel } from '../components/TryItPanel';
import { PLUGIN_ID } from '../pluginId';
import { blankCondition, fromRule, toRule, type VisualRule } from '../rules/visual-rule';
import { getTranslation } from '../utils/translations';

interface Draft {
  key: string;
  name: string;
  description: string;
  priority: number;
  enabled: boolean;
}

/** Editing needs the manage permission; without it the page is read-only. */
const MANAGE = [{ action: 'plugin::personalize.segments.manage', subject: null }];

const EMPTY: Draft = { key: '', name: '', description: '', priority: 50, enabled: true };

export function SegmentEditPage() {
  const { formatMessage } = useIntl();
  const { documentId = 'new' } = useParams();
  const isNew = documentId === 'new';
  const navigate = useNavigate();
  const { post, put, del } = useFetchClient();
  const { allowedActions } = useRBAC(MANAGE);
  const canManage = allowedActions.canManage === true;
  const { toggleNotification } = useNotification();
  const existing = useAdminData<Segment>(isNew ? null : `/${PLUGIN_ID}/segments/${documentId}`);
  const all = useAdminData<Segment[]>(`/${PLUGIN_ID}/segments`);

  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [mode, setMode] = useState<'visual' | 'json'>('visual');
  const [visual, setVisual] = useState<VisualRule>({
    combinator: 'all',
    conditions: [blankCondition('count')],
  });
  const [json, setJson] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!existing.data) return;
    const { key, name, description, priority, enabled, rule } = existing.data;
    setDraft({ key, name, description: description ?? '', priority, enabled });
    setJson(JSON.stringify(rule, null, 2));
    const asVisual = fromRule(rule);
    if (asVisual) setVisual(asVisual);
    setMode(asVisual ? 'visual' : 'json');
  }, [existing.data]);

  /** The rule as it will be saved, or the reason the JSON cannot be read. */
  const rule = useMemo((): { value?: unknown; error?: string } => {
    if (mode === 'visual') return { value: toRule(visual) };
    try {
      return { value: JSON.parse(json) };
    } catch (error) {
      return {
        error: formatMessage(
          { id: getTranslation('segment.json.invalid'), defaultMessage: 'not valid JSON: {message}' },
          { message: (error as Error).message },
        ),
      };
    }
  }, [mode, visual, json, formatMessage]);

  const switchMode = (next: string) => {
    if (next === 'json' && mode === 'visual') setJson(JSON.stringify(toRule(visual), null, 2));
    if (next === 'visual' && mode === 'json') {
      const asVisual = rule.error ? null : fromRule(rule.value);
      if (!asVisual) {
        toggleNotification({
          type: 'warning',
          message: formatMessage({
            id: getTranslation('segment.visual.unavailable'),
            defaultMessage:
              'This rule uses conditions the visual builder cannot show; keep editing it as JSON.',
          }),
        });
        return;
      }
      setVisual(asVisual);
    }
    setMode(next as 'visual' | 'json');
  };

  const fieldError = (name: string) =>
    errors
      .filter((error) => error.path[0] === name)
      .map((error) => error.message)
      .join('; ') || undefined;

  const save = async () => {
    if (rule.error) {
      setErrors([{ path: ['rule'], message: rule.error }]);
      return;
    }
    setSaving(true);
    setErrors([]);
    const data = { ...draft, description: draft.description || null, rule: rule.value };
    try {
      const response = isNew
        ? await post<{ data: Segment }>(`/${PLUGIN_ID}/segments`, { data })
        : await put<{ data: Segment }>(`/${PLUGIN_ID}/segments/${documentId}`, { data });
      toggleNotification({
        type: 'success',
        message: formatMessage(
          { id: getTranslation('segment.saved'), defaultMessage: 'Segment "{name}" saved' },
          { name: draft.name },
        ),
      });
      if (isNew) navigate(`../${response.data.data.documentId}`, { replace: true });
      else existing.reload();
    } catch (error) {
      const { message, fields } = describeError(error);
      setErrors(fields.length > 0 ? fields : [{ path: [], message }]);
      toggleNotification({ type: 'danger', message });
    } finally {
      setSaving(false);
    }
  };

  const remove = async () => {
    try {
      await del(`/${PLUGIN_ID}/segments/${documentId}`);
      toggleNotification({
        type: 'success',
        message: formatMessage(
          { id: getTranslation('segment.deleted'), defaultMessage: 'Segment "{name}" deleted' },
          { name: draft.name },
        ),
      });
      navigate('..');
    } catch (error) {
      toggleNotification({ type: 'danger', message: describeError(error).message });
    }
  };

  if (!isNew && existing.loading && !existing.data) return <Page.Loading />;
  if (!isNew && existing.error) return <Page.Error />;
  const otherKeys = (all.data ?? []).map((segment) => segment.key).filter((key) => key !== draft.key);
  const generalErrors = errors.filter((error) => error.path.length === 0);
  const newTitle = formatMessage({ id: getTranslation('segment.new'), defaultMessage: 'New segment' });
  const enabledLabel = formatMessage({ id: getTranslation('segment.enabled'), defaultMessage: 'Enabled' });
  const disabledLabel = formatMessage({ id: getTranslation('segment.disabled'), defaultMessage: 'Disabled' });

  return (
    <Page.Main>
      <Page.Title>{isNew ? newTitle : draft.name}</Page.Title>
      <Layouts.Header
        navigationAction={<BackButton />}
        title={isNew ? newTitle : draft.name || draft.key}
        subtitle={
          isNew
            ? formatMessage({
                id: getTranslation('segment.new.subtitle'),
                defaultMessage: 'An audience and the rule that decides who is in it',
              })
            : formatMessage(
                { id: getTranslation('segment.key.subtitle'), defaultMessage: 'Key: {key}' },
                { key: draft.key },
              )
        }
        primaryAction={
          canManage ? (
            <Flex gap={2}>
              {isNew ? null : (
                <Dialog.Root>
                  <Dialog.Trigger>
                    <Button variant="danger-light" startIcon={<Trash />}>
                      {formatMessage({ id: getTranslation('segment.delete'), defaultMessage: 'Delete' })}
                    </Button>
                  </Dialog.Trigger>
                  <ConfirmDialog onConfirm={remove}>
                    {formatMessage(
                      {
                        id: getTranslation('segment.delete.confirm'),
                        defaultMessage:
                          'Delete the segment "{name}"? Content still tagged with it, or rules that refer to it, keep it from being deleted.',
                      },
                      { name: draft.name },
                    )}
                  </ConfirmDialog>
                </Dialog.Root>
              )}
              <Button onClick={save} loading={saving}>
                {formatMessage({ id: getTranslation('segment.save'), defaultMessage: 'Save' })}
              </Button>
            </Flex>
          ) : null
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {generalErrors.map((error, index) => (
            <Typography key={index} textColor="danger600" role="alert">
              {error.message}
            </Typography>
          ))}
          <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
            <Grid.Root gap={4}>
              <Grid.Item col={6} s={12}>
                <Field.Root name="name" error={fieldError('name')} required>
                  <Field.Label>
                    {formatMessage({ id: getTranslation('segment.name'), defaultMessage: 'Name' })}
                  </Field.Label>
                  <TextInput
                    value={draft.name}
                    onChange={(event: React.ChangeEvent<HTMLInputElement>) => {
                      const name = event.target.value;
                      setDraft((old) => ({ ...old, name, key: isNew ? slugify(name) : old.key }));
                    }}
                  />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
              <Grid.Item col={6} s={12}>
                <Field.Root
                  name="key"
                  error={fieldError('key')}
                  required
                  hint={formatMessage({
                    id: getTranslation('segment.key.hint'),
                    defaultMessage: 'Content is tagged with this key',
                  })}
                >
                  <Field.Label>
                    {formatMessage({ id: getTranslation('segment.key'), defaultMessage: 'Key' })}
                  </Field.Label>
                  <TextInput
                    value={draft.key}
                    onChange={(event: React.ChangeEvent<HTMLInputElement>) =>
                      setDraft((old) => ({ ...old, key: event.target.value }))
                    }
                  />
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
              <Grid.Item col={12}>
                <Field.Root name="description" error={fieldError('description')}>
                  <Field.Label>
                    {formatMessage({
                      id: getTranslation('segment.description'),
                      defaultMessage: 'Description',
                    })}
                  </Field.Label>
                  <Textarea
                    value={draft.description}
                    onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) =>
                      setDraft((old) => ({ ...old, description: event.target.value }))
                    }
                  />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
              <Grid.Item col={6} s={12}>
                <Field.Root
                  name="priority"
                  error={fieldError('priority')}
                  hint={formatMessage({
                    id: getTranslation('segment.priority.hint'),
                    defaultMessage: 'When a visitor is in several segments, the highest priority wins',
                  })}
                >
                  <Field.Label>
                    {formatMessage({ id: getTranslation('segment.priority'), defaultMessage: 'Priority' })}
                  </Field.Label>
                  <NumberInput
                    value={draft.priority}
                    onValueChange={(priority: number | undefined) =>
                      setDraft((old) => ({ ...old, priority: priority ?? 0 }))
                    }
                  />
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
              <Grid.Item col={6} s={12}>
                <Field.Root
                  name="enabled"
                  hint={formatMessage({
                    id: getTranslation('segment.enabled.hint'),
                    defaultMessage: 'A disabled segment has no members',
                  })}
                >
                  <Field.Label>{enabledLabel}</Field.Label>
                  <Toggle
                    checked={draft.enabled}
                    onLabel={enabledLabel}
                    offLabel={disabledLabel}
                    onChange={(event: React.ChangeEvent<HTMLInputElement>) =>
                      setDraft((old) => ({ ...old, enabled: event.target.checked }))
                    }
                  />
                  <Field.Hint />
                </Field.Root>
              </Grid.Item>
            </Grid.Root>
          </Box>
          <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
            <Typography variant="delta" tag="h2">
              {formatMessage({ id: getTranslation('segment.rule'), defaultMessage: 'Rule' })}
            </Typography>
            <Box paddingTop={4}>
              <Tabs.Root value={mode} onValueChange={switchMode}>
                <Tabs.List
                  aria-label={formatMessage({
                    id: getTranslation('segment.rule.editor'),
                    defaultMessage: 'Rule editor',
                  })}
                >
                  <Tabs.Trigger value="visual">
                    {formatMessage({
                      id: getTranslation('segment.rule.visual'),
                      defaultMessage: 'Visual builder',
                    })}
                  </Tabs.Trigger>
                  <Tabs.Trigger value="json">
                    {formatMessage({ id: getTranslation('segment.rule.json'), defaultMessage: 'JSON' })}
                  </Tabs.Trigger>
                </Tabs.List>
                <Tabs.Content value="visual">
                  <Box paddingTop={4}>
                    <RuleBuilder value={visual} onChange={setVisual} segmentKeys={otherKeys} />
                  </Box>
                </Tabs.Content>
                <Tabs.Content value="json">
                  <Box paddingTop={4}>
                    <Field.Root name="rule-json">
                      <Textarea
                        aria-label={formatMessage({
                          id: getTranslation('segment.rule.json.label'),
                          defaultMessage: 'Rule as JSON',
                        })}
                        value={json}
                        onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) =>
                          setJson(event.target.value)
                        }
                        rows={14}
                      />
                    </Field.Root>
                  </Box>
                </Tabs.Content>
              </Tabs.Root>
              {fieldError('rule') ? (
                <Box paddingTop={2}>
                  <Typography textColor="danger600" role="alert" data-testid="rule-error">
                    {fieldError('rule')}
                  </Typography>
                </Box>
              ) : null}
            </Box>
          </Box>
          <TryItPanel segment={{ ...draft, rule: rule.value }} />
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}

/** A segment key from a name: `Breaking news readers` → `breaking-news-readers`. */
function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
