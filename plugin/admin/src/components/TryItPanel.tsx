/**
 * "Try it": feeds a sample event sequence to the segment being edited (unsaved changes included) and
 * shows, after each step, whether a visitor would be a member, why, and when that could next change
 * with no new event. The server runs the engine's own evaluator (`simulate`), so what is shown here
 * is what production would decide.
 */
import {
  Box,
  Button,
  Field,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Textarea,
  Typography,
} from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import { useState } from 'react';
import { describeError } from '../api';
import { PLUGIN_ID } from '../pluginId';

/** One row of the simulation, as the server returns it. */
interface SimulatedStep {
  at: number;
  label: string;
  member: boolean;
  reason: string;
  nextChangeAt: number | null;
}

const EXAMPLE = `[
  { "after": "0s", "event": { "type": "Article Viewed", "properties": { "category": "news" } } },
  { "after": "1m", "event": { "type": "Article Viewed", "properties": { "category": "news" } } },
  { "after": "1m", "event": { "type": "Article Viewed", "properties": { "category": "news" } } },
  { "after": "1m", "event": { "type": "Article Viewed", "properties": { "category": "news" } } },
  { "after": "15m" }
]`;

export function TryItPanel({ segment }: { segment: Record<string, unknown> }) {
  const { post } = useFetchClient();
  const [steps, setSteps] = useState(EXAMPLE);
  const [result, setResult] = useState<SimulatedStep[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async () => {
    setError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(steps);
    } catch (parseError) {
      setError(`The steps are not valid JSON: ${(parseError as Error).message}`);
      return;
    }
    try {
      const response = await post<{ data: SimulatedStep[] }>(`/${PLUGIN_ID}/simulate`, {
        segment,
        steps: parsed,
      });
      setResult(response.data.data);
    } catch (requestError) {
      setResult(null);
      setError(describeError(requestError).message);
    }
  };

  return (
    <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
      <Typography variant="delta" tag="h2">
        Try it
      </Typography>
      <Box paddingTop={2} paddingBottom={2}>
        <Typography textColor="neutral600">
          A visitor's events, each some time after the previous one ("after"). A step without an event just
          lets time pass.
        </Typography>
      </Box>
      <Field.Root name="try-steps">
        <Textarea
          aria-label="Sample events"
          value={steps}
          rows={8}
          onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => setSteps(event.target.value)}
        />
      </Field.Root>
      <Box paddingTop={2} paddingBottom={4}>
        <Button variant="secondary" onClick={run}>
          Run
        </Button>
      </Box>
      {error ? (
        <Typography textColor="danger600" role="alert">
          {error}
        </Typography>
      ) : null}
      {result ? (
        <Table colCount={4} rowCount={result.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">Step</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">Member</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">Reason</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">Next change</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {result.map((step, index) => (
              <Tr key={index}>
                <Td>
                  <Typography>{step.label}</Typography>
                </Td>
                <Td>
                  <Typography fontWeight="bold">{step.member ? 'yes' : 'no'}</Typography>
                </Td>
                <Td>
                  <Typography>{step.reason}</Typography>
                </Td>
                <Td>
                  <Typography>
                    {step.nextChangeAt === null
                      ? 'never without a new event'
                      : `+${formatOffset(step.nextChangeAt - result[0]!.at)}`}
                  </Typography>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      ) : null}
    </Box>
  );
}

/** `90061000` → `1d 1h 1m 1s`. */
function formatOffset(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ') || '0s';
}
