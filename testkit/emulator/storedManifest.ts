/**
 * Manifests as registries hold them: their listing facts and dates, and their bytes kept or
 * rebuilt on demand from the content description they were made from; and the cache that lets
 * equal descriptions share one tree while a world is built.
 */
import type { ChangeableAttributes, ContentFixture } from './api';
import { buildContent, type ManifestBlob, type ManifestTree } from './content';

/**
 * Where a stored manifest's bytes come from: kept as they are (pushed or small worlds), or
 * rebuilt on demand from the content description they were made from (`child` -1 = the root,
 * else the index child at that position). Bytes made from a description are deterministic,
 * so a world of a hundred thousand manifests keeps only their digests and listing facts.
 */
export type BytesSource = Buffer | { readonly content: ContentFixture; readonly child: number };

/** Recently rebuilt trees, by description: a manifest asked for twice is built once. */
const rebuilt = new Map<ContentFixture, ManifestTree>();
const REBUILT_KEPT = 2048;

function bytesOf(source: BytesSource): Buffer {
  if (Buffer.isBuffer(source)) return source;
  let tree = rebuilt.get(source.content);
  if (tree) {
    rebuilt.delete(source.content); // re-insert: most recent last
  } else {
    tree = buildContent(source.content);
    if (rebuilt.size >= REBUILT_KEPT) rebuilt.delete(rebuilt.keys().next().value as ContentFixture);
  }
  rebuilt.set(source.content, tree);
  const blob = source.child < 0 ? tree.root : tree.children[source.child];
  if (!blob) throw new Error('manifest source names no manifest');
  return blob.bytes;
}

/** What an OCI 1.1 manifest says about the manifest it is about (none for most). */
export interface ReferrerFacts {
  subject?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** A manifest as a repository holds it: its listing facts, its dates, and its bytes on demand. */
export class StoredManifest implements ManifestBlob, ChangeableAttributes {
  readonly subject?: string;
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;

  constructor(
    readonly digest: string,
    readonly mediaType: string,
    /** Length of the bytes (Content-Length, descriptor size). */
    readonly size: number,
    readonly source: BytesSource,
    readonly configMediaType: string | undefined,
    readonly platform: ManifestBlob['platform'],
    readonly imageSize: number,
    readonly references: ManifestBlob['references'],
    public createdTime: number,
    public lastUpdateTime: number,
    facts: ReferrerFacts = {},
  ) {
    if (facts.subject !== undefined) this.subject = facts.subject;
    if (facts.artifactType !== undefined) this.artifactType = facts.artifactType;
    if (facts.annotations !== undefined) this.annotations = facts.annotations;
  }

  /**
   * The manifest's own `changeableAttributes` (`az acr repository update --image
   * repo@sha256:… --write-enabled false`); writeEnabled false = locked. Apart from its tags'
   * attributes: ACR manages tag and manifest attributes separately.
   */
  writeEnabled = true;
  deleteEnabled = true;
  readEnabled = true;
  listEnabled = true;

  /** The exact bytes served (rebuilt from the description when not kept). */
  get bytes(): Buffer {
    return bytesOf(this.source);
  }
}

/** A manifest to store: a stored one (copied by import), a lean blob, or a blob with its bytes. */
export type ManifestToStore = StoredManifest | LeanBlob | ManifestBlob;

/** A manifest tree whose blobs carry no bytes, only how to rebuild them. */
export interface LeanTree {
  root: LeanBlob;
  children: LeanBlob[];
}
type LeanBlob = Omit<ManifestBlob, 'bytes'> & { size: number; source: BytesSource };

/** A private copy of a description: the caller's fixture may change later, the bytes must not. */
function ownCopy(content: ContentFixture): ContentFixture {
  switch (content.kind) {
    case 'index':
      return { ...content, platforms: [...content.platforms] };
    case 'artifact':
      return {
        ...content,
        ...(content.subject ? { subject: { ...content.subject } } : {}),
        ...(content.annotations ? { annotations: { ...content.annotations } } : {}),
      };
    default:
      return { ...content };
  }
}

/** Builds a description's tree once, keeping digests and facts, not bytes. */
export function leanTree(content: ContentFixture): LeanTree {
  const own = ownCopy(content);
  const tree = buildContent(own);
  const lean = (b: ManifestBlob, child: number): LeanBlob => ({
    digest: b.digest,
    mediaType: b.mediaType,
    size: b.bytes.length,
    source: { content: own, child },
    configMediaType: b.configMediaType,
    platform: b.platform,
    imageSize: b.imageSize,
    references: b.references,
    subject: b.subject,
    artifactType: b.artifactType,
    annotations: b.annotations,
  });
  return { root: lean(tree.root, -1), children: tree.children.map((c, i) => lean(c, i)) };
}

/**
 * Manifest trees by content description, while a world is built: the same description
 * always gives the same bytes, so tags sharing a release, and an identical target registry,
 * share one tree (and its Buffers) instead of building and holding it again.
 */
export interface ContentCache {
  /** By the description object itself: generated fixtures share one per release. */
  byObject: WeakMap<ContentFixture, LeanTree>;
  /** By what it says, for equal descriptions written out twice. */
  byKey: Map<string, LeanTree>;
}

export function contentKey(content: ContentFixture): string {
  // OCI keys stay what they were before Docker content existed.
  const docker = (format: string | undefined): string => (format === 'docker' ? '\u0000docker' : '');
  switch (content.kind) {
    case 'image':
      return `i\u0000${content.seed}${docker(content.format)}`;
    case 'index':
      return `x\u0000${content.seed}\u0000${content.platforms.join(',')}${docker(content.format)}`;
    case 'helm':
      return `h\u0000${content.seed}\u0000${content.chart}\u0000${content.version}`;
    case 'artifact':
      return [
        'a',
        content.seed,
        content.artifactType,
        content.blobMediaType ?? '',
        content.subject?.digest ?? '',
        JSON.stringify(content.annotations ?? {}),
      ].join('\u0000');
  }
}
