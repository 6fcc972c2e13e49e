/**
 * The visual rule builder: conditions joined by "all" or "any", each one of the everyday kinds
 * (rules/visual-rule.ts). It edits a `VisualRule`; the page turns it into the JSON rule.
 */
import {
  Box,
  Button,
  Field,
  Flex,
  IconButton,
  NumberInput,
  SingleSelect,
  SingleSelectOption,
  Typography,
} from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import { Filters, Text } from './Fields';
import {
  blankCondition,
  COMPARISONS,
  type Comparison,
  type VisualCondition,
  type VisualRule,
} from '../rules/visual-rule';

const KIND_LABELS: Record<VisualCondition['kind'], string> = {
  count: 'Event count in a window',
  trait: 'Trait comparison',
  score: 'Score threshold',
  absent: 'Absence of an event',
  segment: 'Member of another segment',
};

const COMPARISON_LABELS: Record<Comparison, string> = {
  $gt: 'more than',
  $gte: 'at least',
  $lt: 'less than',
  $lte: 'at most',
  $eq: 'exactly',
  $ne: 'not',
};

/** The comparison of a count or a trait condition: "more than", "at least", … */
function ComparisonSelect({
  label,
  title,
  value,
  onChange,
}: {
  label: string;
  title: string;
  value: Comparison;
  onChange: (comparison: Comparison) => void;
}) {
  return (
    <Field.Root name={label}>
      <Field.Label>{title}</Field.Label>
      <SingleSelect
        aria-label={label}
        value={value}
        onChange={(comparison: string | number) => onChange(comparison as Comparison)}
      >
        {COMPARISONS.map((comparison) => (
          <SingleSelectOption key={comparison} value={comparison}>
            {COMPARISON_LABELS[comparison]}
          </SingleSelectOption>
        ))}
      </SingleSelect>
    </Field.Root>
  );
}

interface RuleBuilderProps {
  value: VisualRule;
  onChange: (rule: VisualRule) => void;
  /** Other segments' keys, for "member of another segment". */
  segmentKeys: string[];
}

export function RuleBuilder({ value, onChange, segmentKeys }: RuleBuilderProps) {
  const update = (index: number, condition: VisualCondition) =>
    onChange({ ...value, conditions: value.conditions.map((old, at) => (at === index ? condition : old)) });
  const remove = (index: number) =>
    onChange({ ...value, conditions: value.conditions.filter((_, at) => at !== index) });

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Flex gap={2} alignItems="center">
        <Typography>Visitors match when</Typography>
        <SingleSelect
          aria-label="Combinator"
          value={value.combinator}
          onChange={(combinator: string | number) =>
            onChange({ ...value, combinator: combinator as 'all' | 'any' })
          }
        >
          <SingleSelectOption value="all">all conditions hold</SingleSelectOption>
          <SingleSelectOption value="any">any condition holds</SingleSelectOption>
        </SingleSelect>
      </Flex>
      {value.conditions.map((condition, index) => (
        <Box key={index} padding={3} hasRadius borderColor="neutral200" background="neutral100">
          <Flex justifyContent="space-between" paddingBottom={2}>
            <Typography variant="sigma">{KIND_LABELS[condition.kind]}</Typography>
            <IconButton label={`Remove condition ${index + 1}`} onClick={() => remove(index)} variant="ghost">
              <Trash />
            </IconButton>
          </Flex>
          <ConditionFields
            condition={condition}
            onChange={(next) => update(index, next)}
            segmentKeys={segmentKeys}
            index={index}
          />
        </Box>
      ))}
      <Flex gap={2} wrap="wrap">
        {(Object.keys(KIND_LABELS) as Array<VisualCondition['kind']>).map((kind) => (
          <Button
            key={kind}
            variant="secondary"
            startIcon={<Plus />}
            onClick={() => onChange({ ...value, conditions: [...value.conditions, blankCondition(kind)] })}
          >
            {KIND_LABELS[kind]}
          </Button>
        ))}
      </Flex>
    </Flex>
  );
}

function ConditionFields({
  condition,
  onChange,
  segmentKeys,
  index,
}: {
  condition: VisualCondition;
  onChange: (condition: VisualCondition) => void;
  segmentKeys: string[];
  index: number;
}) {
  const label = (what: string) => `Condition ${index + 1} ${what}`;
  switch (condition.kind) {
    case 'count':
      return (
        <Flex direction="column" alignItems="stretch" gap={2}>
          <Flex gap={2} wrap="wrap" alignItems="flex-end">
            <Text
              label={label('event')}
              title="Event"
              value={condition.event}
              onChange={(event) => onChange({ ...condition, event })}
            />
            <ComparisonSelect
              label={label('comparison')}
              title="Happened"
              value={condition.comparison}
              onChange={(comparison) => onChange({ ...condition, comparison })}
            />
            <Field.Root name={label('times')}>
              <Field.Label>Times</Field.Label>
              <NumberInput
                aria-label={label('times')}
                value={condition.value}
                onValueChange={(value: number | undefined) => onChange({ ...condition, value: value ?? 0 })}
              />
            </Field.Root>
            <Text
              label={label('window')}
              title="Within (e.g. 10m, 48h, 7d)"
              value={condition.within}
              onChange={(within) => onChange({ ...condition, within })}
            />
          </Flex>
          <Filters
            label={label('filter')}
            filters={condition.where}
            onChange={(where) => onChange({ ...condition, where })}
          />
        </Flex>
      );
    case 'trait':
      return (
        <Flex gap={2} wrap="wrap" alignItems="flex-end">
          <Text
            label={label('trait')}
            title="Trait"
            value={condition.trait}
            onChange={(trait) => onChange({ ...condition, trait })}
          />
          <ComparisonSelect
            label={label('operator')}
            title="Is"
            value={condition.operator}
            onChange={(operator) => onChange({ ...condition, operator })}
          />
          <Text
            label={label('value')}
            title="Value"
            value={condition.value}
            onChange={(value) => onChange({ ...condition, value })}
          />
        </Flex>
      );
    case 'score':
      return (
        <Flex gap={2} wrap="wrap" alignItems="flex-end">
          <Text
            label={label('score')}
            title="Score key"
            value={condition.score}
            onChange={(score) => onChange({ ...condition, score })}
          />
          <Field.Root name={label('enter')}>
            <Field.Label>Enter at or above</Field.Label>
            <NumberInput
              aria-label={label('enter')}
              value={condition.enterAtLeast}
              onValueChange={(value: number | undefined) =>
                onChange({ ...condition, enterAtLeast: value ?? 0 })
              }
            />
          </Field.Root>
          <Field.Root name={label('stay')} hint="Optional: members stay while the score is at least this">
            <Field.Label>Stay at or above</Field.Label>
            <NumberInput
              aria-label={label('stay')}
              value={condition.stayAtLeast}
              onValueChange={(value: number | undefined) => {
                const { stayAtLeast: _dropped, ...rest } = condition;
                onChange(value === undefined ? rest : { ...rest, stayAtLeast: value });
              }}
            />
            <Field.Hint />
          </Field.Root>
        </Flex>
      );
    case 'absent':
      return (
        <Flex direction="column" alignItems="stretch" gap={2}>
          <Flex gap={2} wrap="wrap" alignItems="flex-end">
            <Text
              label={label('missing event')}
              title="No event"
              value={condition.event}
              onChange={(event) => onChange({ ...condition, event })}
            />
            <Text
              label={label('window')}
              title="Within the last"
              value={condition.within}
              onChange={(within) => onChange({ ...condition, within })}
            />
          </Flex>
          <Filters
            label={label('filter')}
            filters={condition.where}
            onChange={(where) => onChange({ ...condition, where })}
          />
        </Flex>
      );
    case 'segment':
      return (
        <Field.Root name={label('segment')}>
          <Field.Label>Segment</Field.Label>
          <SingleSelect
            aria-label={label('segment')}
            value={condition.segment}
            onChange={(segment: string | number) => onChange({ ...condition, segment: String(segment) })}
          >
            {segmentKeys.map((key) => (
              <SingleSelectOption key={key} value={key}>
                {key}
              </SingleSelectOption>
            ))}
          </SingleSelect>
        </Field.Root>
      );
  }
}
