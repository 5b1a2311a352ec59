import { describe, expect, test } from 'vitest';
import { provenanceLine, roundRangeText, type ShownVersion, tokenUriLine, versionLines } from './art.show.js';

// `art show` on a Chainlink proxy feed: the rounds of a version (20-digit ids `phase << 64 | n`) are also
// named as the aggregator's own rounds, so a window across an aggregator upgrade is readable.
const P1 = 1n << 64n;
const P2 = 2n << 64n;

describe('roundRangeText', () => {
  test('default: plain aggregator ids print as before', () => {
    expect(roundRangeText('50', '70', 21)).toBe('50..70 (21)');
    expect(roundRangeText('50', '70')).toBe('50..70');
  });

  test('behavior: proxy ids name their phase and round, across one upgrade too', () => {
    expect(roundRangeText(String(P1 | 90n), String(P1 | 110n), 21)).toBe(
      `${P1 | 90n}..${P1 | 110n} (21: phase 1 #90..#110)`,
    );
    expect(roundRangeText(String(P1 | 95n), String(P2 | 5n))).toBe(
      `${P1 | 95n}..${P2 | 5n} (phase 1 #95..phase 2 #5)`,
    );
  });

  test('edge: a range that is not two decimal ids is printed as given', () => {
    expect(roundRangeText('', '', 0)).toBe('.. (0)');
  });
});

// A version's commitment is the sha2-256 digest of its metadata (the metadata CID is its raw CIDv1), and the
// metadata names its manifest: `art show` prints that link beside the manifest CID the version's log names.
const MANIFEST = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
const METADATA = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy';
const shown = (over: Partial<ShownVersion> = {}): ShownVersion => ({
  version: 0,
  commitment: `0x${'c6'.repeat(32)}`,
  metadataCid: METADATA,
  manifestCid: MANIFEST,
  provenance: `ipfs://${MANIFEST}`,
  blockNumber: 12n,
  logIndex: 3,
  ...over,
});

describe('provenanceLine / versionLines', () => {
  test('default: the metadata names the manifest the log names', () => {
    expect(versionLines(shown(), '/store')).toEqual([
      'v0  minted in block 12 (log 3)',
      `    commitment  0x${'c6'.repeat(32)} (sha2-256 of the metadata; the token id)`,
      `    metadata    ${METADATA}`,
      `    provenance  ipfs://${MANIFEST} (the manifest the log names)`,
      `    manifest    ${MANIFEST}`,
      `    (manifest not readable from /store: unknown; run again with --ipfs-gateway <url>, or \`provenant content import\` a CAR that holds ipfs://${MANIFEST}, to see this version's story)`,
    ]);
  });

  test('behavior: a metadata naming another manifest is flagged; unreadable metadata says where to fetch it', () => {
    const other = 'bafkreiabcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst';
    expect(provenanceLine(shown({ version: 1, provenance: `ipfs://${other}` }), '/store')).toBe(
      `ipfs://${other} (NOT the manifest the log names, ipfs://${MANIFEST}; run \`provenant verify\`)`,
    );
    const { provenance: _, ...unread } = shown({ metadataProblem: 'Content not found' });
    expect(provenanceLine(unread, '/store')).toBe(
      `(metadata not readable from /store: Content not found; run again with --ipfs-gateway <url>, or \`provenant content import\` a CAR that holds ipfs://${METADATA}, to see which manifest it names)`,
    );
    expect(versionLines(shown({ version: 2 }), '/store')[1]).toBe(
      `    commitment  0x${'c6'.repeat(32)} (sha2-256 of the metadata)`,
    );
  });

  test("behavior: tokenURI is compared with the latest version's metadata CID (from its commitment)", () => {
    const versions = [shown(), shown({ version: 1, metadataCid: MANIFEST })];
    expect(tokenUriLine(`ipfs://${MANIFEST}`, versions)).toBe(
      `ipfs://${MANIFEST} (the metadata of v1, the latest)`,
    );
    expect(tokenUriLine(`ipfs://${METADATA}`, versions)).toBe(
      `ipfs://${METADATA} (NOT the metadata of v1, the latest: ipfs://${MANIFEST}; run \`provenant verify\`)`,
    );
    expect(tokenUriLine(undefined, versions)).toBe('— (not read)');
  });
});
