export { PORTAL_APP_DIR, portalRouter } from './portal-router.js';
export { createApp } from './app.js';
