/**
 * The scores editor's model and its exact translation to and from the engine's score definition
 * (`{ key, name, description?, within, halfLife?, points: [{ event, where?, add }] }`). Points
 * whose filters are richer than `property = value` are not shown in the form (`fromScore` returns
 * null) so nothing is lost. Pure.
 */
import { scalar, type PropertyFilter } from './visual-rule';

export interface PointRow {
  event: string;
  where: PropertyFilter[];
  add: number;
}

export interface ScoreForm {
  key: string;
  name: string;
  description: string;
  within: string;
  halfLife: string;
  points: PointRow[];
}

export const BLANK_SCORE: ScoreForm = {
  key: '',
  name: '',
  description: '',
  within: '30d',
  halfLife: '',
  points: [{ event: 'page', where: [], add: 1 }],
};

/** The attributes to save for a form. Empty optional fields are cleared (null), not sent as "". */
export function toScoreData(form: ScoreForm): Record<string, unknown> {
  return {
    key: form.key,
    name: form.name,
    description: form.description || null,
    within: form.within,
    halfLife: form.halfLife || null,
    points: form.points.map((point) => {
      const where = point.where.filter((filter) => filter.property.trim() !== '');
      return {
        event: point.event,
        ...(where.length > 0
          ? {
              where: Object.fromEntries(
                where.map((filter) => [filter.property.trim(), scalar(filter.value)]),
              ),
            }
          : {}),
        add: point.add,
      };
    }),
  };
}

/** The form for a stored score, or null when its points use filters the form cannot show. */
export function fromScore(score: Record<string, unknown>): ScoreForm | null {
  if (!Array.isArray(score.points)) return null;
  const points: PointRow[] = [];
  for (const point of score.points as unknown[]) {
    if (typeof point !== 'object' || point === null) return null;
    const { event, where, add } = point as Record<string, unknown>;
    if (typeof event !== 'string' || typeof add !== 'number') return null;
    const filters: PropertyFilter[] = [];
    if (where !== undefined) {
      if (typeof where !== 'object' || where === null || Array.isArray(where)) return null;
      for (const [property, value] of Object.entries(where)) {
        if (!['string', 'number', 'boolean'].includes(typeof value)) return null;
        filters.push({ property, value: String(value) });
      }
    }
    points.push({ event, where: filters, add });
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    key: text(score.key),
    name: text(score.name),
    description: text(score.description),
    within: text(score.within),
    halfLife: text(score.halfLife),
    points,
  };
}
