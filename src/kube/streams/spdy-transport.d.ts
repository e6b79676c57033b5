/** spdy-transport ships no types; the embedded API uses `connection.create(socket, opts).start(version)` and its streams. */
declare module 'spdy-transport' {
  const spdy: unknown;
  export default spdy;
}
