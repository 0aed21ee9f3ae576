/** Registers the native backend (the napi-rs addon): Node entry only. */
import { registerBackend } from '../registry.js';
import { NativeBackend } from './native-backend.js';

registerBackend('native', { create: () => new NativeBackend() });
