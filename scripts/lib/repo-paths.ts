/**
 * @module scripts/lib/repo-paths
 * Where the repository's untracked working folders are: .cache (downloads, kept across runs) and
 * .services (the demo/bench services' data). Never points outside the repository.
 */
import { join, resolve } from 'node:path'

export const REPO_ROOT = resolve(import.meta.dir, '..', '..')
export const CACHE_DIR = join(REPO_ROOT, '.cache')
export const SERVICES_DIR = join(REPO_ROOT, '.services')
