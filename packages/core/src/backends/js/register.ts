/** Registers the js backend (TypeScript reference loops): present in every entry point. */
import { registerBackend } from '../registry.js';
import { JsBackend } from './js-backend.js';

registerBackend('js', { create: () => new JsBackend() });
