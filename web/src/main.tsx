import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { configureApi } from './lib/api.js';
import { auth } from './lib/auth.js';
import { loadConfig } from './lib/config.js';
import { cognitoSettings } from './lib/oidc.js';
import { navigate } from './lib/router.js';

const config = await loadConfig(window.location);
configureApi(config.apiBaseUrl);
if (config.auth.mode === 'cognito') {
  // Incomplete Cognito settings leave nobody signed in; the sign-in page explains.
  const settings = cognitoSettings(config.auth);
  // Before the first render, so the hosted UI's `code` and `state` are gone from the address bar before any page reads it.
  const landing = settings ? await auth.startCognito(settings, window.location) : undefined;
  if (landing) navigate(landing, { replace: true });
} else {
  auth.restore();
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App config={config} />
  </StrictMode>,
);
