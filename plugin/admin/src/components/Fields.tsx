/** Small labelled inputs shared by the rule builder and the scores editor. */
import { Box, Button, Field, Flex, IconButton, TextInput } from '@strapi/design-system';
import { Plus, Trash } from '@strapi/icons';
import type { PropertyFilter } from '../rules/visual-rule';

/** A text input with a visible title and an accessible label. */
export function Text({
  label,
  title,
  value,
  onChange,
}: {
  label: string;
  title: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field.Root name={label}>
      <Field.Label>{title}</Field.Label>
      <TextInput
        aria-label={label}
        value={value}
        onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
      />
    </Field.Root>
  );
}

/** Property filters (`category` equals `news`), added and removed one by one. */
export function Filters({
  label,
  filters,
  onChange,
}: {
  label: string;
  filters: PropertyFilter[];
  onChange: (filters: PropertyFilter[]) => void;
}) {
  const set = (index: number, filter: PropertyFilter) =>
    onChange(filters.map((old, at) => (at === index ? filter : old)));
  return (
    <Flex direction="column" alignItems="stretch" gap={1}>
      {filters.map((filter, index) => (
        <Flex key={index} gap={2} alignItems="flex-end">
          <Text
            label={`${label} ${index + 1} property`}
            title="Where property"
            value={filter.property}
            onChange={(property) => set(index, { ...filter, property })}
          />
          <Text
            label={`${label} ${index + 1} value`}
            title="equals"
            value={filter.value}
            onChange={(value) => set(index, { ...filter, value })}
          />
          <IconButton
            label={`Remove ${label} ${index + 1}`}
            variant="ghost"
            onClick={() => onChange(filters.filter((_, at) => at !== index))}
          >
            <Trash />
          </IconButton>
        </Flex>
      ))}
      <Box>
        <Button
          variant="tertiary"
          size="S"
          startIcon={<Plus />}
          onClick={() => onChange([...filters, { property: '', value: '' }])}
        >
          Add a property filter
        </Button>
      </Box>
    </Flex>
  );
}
