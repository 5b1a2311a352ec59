/**
 * Test fixture (not a test): opens the journal, expires approval `<id>` at epoch 11 inside a transaction and
 * SIGKILLs itself before the transaction commits (a kill between deciding an expiry and recording it).
 * Usage: node --import tsx approvalExpiry.killChild.fixture.ts <journalPath> <approvalId>
 */
import { openJournal } from './journal/index.js';

const [path, id] = process.argv.slice(2) as [string, string];
const journal = openJournal(path);
journal.setEpoch(11);
journal.db.transaction(() => {
  journal.approvals.expire(id, { epoch: 11, reason: 'killed before commit' });
  process.kill(process.pid, 'SIGKILL');
})();
process.stdout.write('finished without being killed\n');
