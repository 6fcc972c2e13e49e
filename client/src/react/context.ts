/**
 * React context carrying the client. One client per app: created once, outside render, and passed
 * to `PersonalizeProvider`.
 */
import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { PersonalizeClient } from '../client.js';

const PersonalizeContext = createContext<PersonalizeClient | null>(null);

/** Makes `client` available to the hooks below it. */
export function PersonalizeProvider(props: { client: PersonalizeClient; children?: ReactNode }): ReactNode {
  return createElement(PersonalizeContext.Provider, { value: props.client }, props.children);
}

/** The client of the nearest `PersonalizeProvider`. */
export function usePersonalize(): PersonalizeClient {
  const client = useContext(PersonalizeContext);
  if (!client) throw new Error('usePersonalize: no PersonalizeProvider above this component');
  return client;
}
