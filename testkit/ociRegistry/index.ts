/** A real OCI registry (CNCF distribution 2.8) for tests, a client that signs in as it asks, and content to push. */
export * from './launch';
export * from './client';
export * from './content';
export * from './push';
