/** Entry point: one personalize client for the app, provided to every component. */
import { PersonalizeProvider } from '@personalize/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { App } from './App';
import { personalize } from './personalize';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <PersonalizeProvider client={personalize}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </PersonalizeProvider>
  </StrictMode>,
);
