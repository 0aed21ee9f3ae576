/**
 * Yields to the worker's event loop so queued messages (pause, reset) are handled. A
 * MessageChannel message, not setTimeout(0): browsers clamp nested timeouts to 4 ms, which
 * would cost a fast MLP step (~15 ms in wasm) a quarter of its speed.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
