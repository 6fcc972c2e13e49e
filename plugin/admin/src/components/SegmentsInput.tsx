/**
 * The input of the `segments` custom field: a multi-select of segments by name, each with its
 * priority. Empty means the entry is shown to everyone, and the field says so plainly. The value
 * stays what the server stores: a JSON array of segment keys.
 *
 * The list comes from `/personalize/segment-options`, which any admin may read, so an Author can tag
 * content without the permission to see or edit rules.
 */
import { Badge, Field, Flex, MultiSelect, MultiSelectOption, Typography } from '@strapi/design-system';
import { useField } from '@strapi/strapi/admin';
import type { ReactNode } from 'react';
import { useAdminData, type SegmentOption } from '../api';
import { PLUGIN_ID } from '../pluginId';

interface SegmentsInputProps {
  name: string;
  label?: ReactNode;
  hint?: ReactNode;
  required?: boolean;
  disabled?: boolean;
}

export default function SegmentsInput({ name, label, hint, required, disabled }: SegmentsInputProps) {
  const field = useField<unknown>(name);
  const options = useAdminData<SegmentOption[]>(`/${PLUGIN_ID}/segment-options`);
  const selected = Array.isArray(field.value)
    ? field.value.filter((key): key is string => typeof key === 'string')
    : [];
  const known = new Map((options.data ?? []).map((option) => [option.key, option]));
  // Keys no longer among the segments stay visible (and removable) rather than silently dropped.
  const unknown = selected.filter((key) => options.data && !known.has(key));

  return (
    <Field.Root name={name} hint={hint} error={field.error ?? options.error} required={required}>
      <Field.Label>{label ?? 'Segments'}</Field.Label>
      <MultiSelect
        value={selected}
        disabled={disabled || options.loading}
        placeholder="Everyone (no segment)"
        withTags
        onClear={() => field.onChange(name, [])}
        onChange={(keys: string[]) => field.onChange(name, keys)}
        aria-label="Segments"
      >
        {(options.data ?? []).map((option) => (
          <MultiSelectOption key={option.key} value={option.key}>
            {`${option.name} · priority ${option.priority}${option.enabled ? '' : ' (disabled)'}`}
          </MultiSelectOption>
        ))}
        {unknown.map((key) => (
          <MultiSelectOption key={key} value={key}>
            {`${key} (unknown segment)`}
          </MultiSelectOption>
        ))}
      </MultiSelect>
      <Flex paddingTop={1} gap={2}>
        {selected.length === 0 ? (
          <Badge>Everyone</Badge>
        ) : (
          <Typography variant="pi" textColor="neutral600">
            Shown only to members of {selected.length === 1 ? 'this segment' : 'any of these segments'}; the
            highest priority wins.
          </Typography>
        )}
      </Flex>
      <Field.Hint />
      <Field.Error />
    </Field.Root>
  );
}
