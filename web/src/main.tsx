import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { configureApi } from './lib/api.js';
import { auth } from './lib/auth.js';
import { loadConfig } from './lib/config.js';

const config = await loadConfig(window.location);
configureApi(config.apiBaseUrl);
auth.restore();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App config={config} />
  </StrictMode>,
);
