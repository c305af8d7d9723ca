export default async function globalTeardown() {
  const embedded = globalThis.__vigilTestDb;
  if (embedded) {
    await embedded.server.close();
    await embedded.db.close();
  }
}
