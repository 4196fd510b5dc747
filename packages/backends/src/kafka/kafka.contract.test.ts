import { after } from 'node:test';
import { queueContract } from '../contract/queue.contract.js';
import { deleteByPrefix, openTestQueue, runPrefix } from './test-support.js';

const prefix = runPrefix('contract');
after(() => deleteByPrefix(prefix));

queueContract('kafka (8 partitions)', () => openTestQueue({ topicPrefix: prefix }));
queueContract('kafka (1 partition)', () => openTestQueue({ topicPrefix: `${prefix}p1.`, partitions: 1 }));
