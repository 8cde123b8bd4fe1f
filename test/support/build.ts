/**
 * The Node servers under test run the built package (dist/) and the built apps (.build/), as
 * users run them; `npm test` builds first, and a test file run alone rebuilds what changed
 * (scripts/build-if-stale.ts).
 */
export { builtApp, ensureBuilt } from '../../scripts/build-if-stale.ts';
