export default async function globalTeardown() {
  const embedded = globalThis.__vigilTestDb;
  if (embedded) {
    await embedded.server.stop();
    await embedded.db.close();
  }
}
