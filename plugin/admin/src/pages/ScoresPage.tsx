/**
 * Scores: points per event (optionally filtered), summed over a window and fading with a half-life,
 * that segment rules compare with thresholds ("engagement at least 50"). One card per score; a save
 * is refused with the compiler's message when the score (or a rule using it) would not compile.
 */
import { Box, Button, Field, Flex, Grid, IconButton, NumberInput, Typography } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { BackButton, Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { useState } from 'react';
import { describeError, useAdminData } from '../api';
import { Filters, Text } from '../components/Fields';
import { PLUGIN_ID } from '../pluginId';
import { BLANK_SCORE, fromScore, toScoreData, type ScoreForm } from '../rules/score-form';

interface StoredScore extends Record<string, unknown> {
  documentId: string;
}

const MANAGE = [{ action: 'plugin::personalize.segments.manage', subject: null }];

export function ScoresPage() {
  const scores = useAdminData<StoredScore[]>(`/${PLUGIN_ID}/scores`);
  const { allowedActions } = useRBAC(MANAGE);
  const [adding, setAdding] = useState(false);
  if (scores.loading && !scores.data) return <Page.Loading />;
  if (scores.error) return <Page.Error />;

  return (
    <Page.Main>
      <Page.Title>Scores</Page.Title>
      <Layouts.Header
        navigationAction={<BackButton />}
        title="Scores"
        subtitle="Points per visitor event, summed over a window; segment rules compare them with thresholds"
        primaryAction={
          allowedActions.canManage && !adding ? (
            <Button startIcon={<Plus />} onClick={() => setAdding(true)}>
              Create a score
            </Button>
          ) : null
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          {adding ? (
            <ScoreCard
              initial={BLANK_SCORE}
              canManage
              onSaved={() => {
                setAdding(false);
                scores.reload();
              }}
            />
          ) : null}
          {(scores.data ?? []).map((score) => {
            const form = fromScore(score);
            return form ? (
              <ScoreCard
                key={score.documentId}
                documentId={score.documentId}
                initial={form}
                canManage={allowedActions.canManage === true}
                onSaved={scores.reload}
              />
            ) : (
              <Box key={score.documentId} padding={4} background="neutral0" hasRadius shadow="filterShadow">
                <Typography>
                  {String(score.name)}: its points use filters this form cannot show; edit it through the API.
                </Typography>
              </Box>
            );
          })}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
}

function ScoreCard({
  documentId,
  initial,
  canManage,
  onSaved,
}: {
  documentId?: string;
  initial: ScoreForm;
  canManage: boolean;
  onSaved: () => void;
}) {
  const { post, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [form, setForm] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    setError(null);
    try {
      const data = toScoreData(form);
      if (documentId) await put(`/${PLUGIN_ID}/scores/${documentId}`, { data });
      else await post(`/${PLUGIN_ID}/scores`, { data });
      toggleNotification({ type: 'success', message: `Score "${form.name}" saved` });
      onSaved();
    } catch (requestError) {
      setError(describeError(requestError).message);
    }
  };
  const setPoint = (index: number, point: ScoreForm['points'][number]) =>
    setForm((old) => ({ ...old, points: old.points.map((item, at) => (at === index ? point : item)) }));

  return (
    <Box padding={6} background="neutral0" hasRadius shadow="filterShadow">
      <Grid.Root gap={4}>
        <Grid.Item col={3} s={12}>
          <Text
            label="Score name"
            title="Name"
            value={form.name}
            onChange={(name) => setForm((old) => ({ ...old, name }))}
          />
        </Grid.Item>
        <Grid.Item col={3} s={12}>
          <Text
            label="Score key"
            title="Key"
            value={form.key}
            onChange={(key) => setForm((old) => ({ ...old, key }))}
          />
        </Grid.Item>
        <Grid.Item col={3} s={12}>
          <Text
            label="Score window"
            title="Over the last"
            value={form.within}
            onChange={(within) => setForm((old) => ({ ...old, within }))}
          />
        </Grid.Item>
        <Grid.Item col={3} s={12}>
          <Text
            label="Score half-life"
            title="Half-life (optional)"
            value={form.halfLife}
            onChange={(halfLife) => setForm((old) => ({ ...old, halfLife }))}
          />
        </Grid.Item>
      </Grid.Root>
      <Flex direction="column" alignItems="stretch" gap={3} paddingTop={4}>
        {form.points.map((point, index) => (
          <Box key={index} padding={3} hasRadius background="neutral100">
            <Flex gap={2} alignItems="flex-end">
              <Text
                label={`Points ${index + 1} event`}
                title="Event"
                value={point.event}
                onChange={(event) => setPoint(index, { ...point, event })}
              />
              <Field.Root name={`Points ${index + 1} add`}>
                <Field.Label>Points</Field.Label>
                <NumberInput
                  aria-label={`Points ${index + 1} add`}
                  value={point.add}
                  onValueChange={(add: number | undefined) => setPoint(index, { ...point, add: add ?? 0 })}
                />
              </Field.Root>
              <IconButton
                label={`Remove points ${index + 1}`}
                variant="ghost"
                onClick={() =>
                  setForm((old) => ({ ...old, points: old.points.filter((_, at) => at !== index) }))
                }
              >
                <Trash />
              </IconButton>
            </Flex>
            <Filters
              label={`Points ${index + 1} filter`}
              filters={point.where}
              onChange={(where) => setPoint(index, { ...point, where })}
            />
          </Box>
        ))}
        <Flex gap={2}>
          <Button
            variant="secondary"
            startIcon={<Plus />}
            onClick={() =>
              setForm((old) => ({ ...old, points: [...old.points, { event: '', where: [], add: 1 }] }))
            }
          >
            Add points for an event
          </Button>
          {canManage ? <Button onClick={save}>Save score</Button> : null}
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
