import 'reflect-metadata';
import type { ProjectorProgress } from '@capflow/read-models';
import { workerData } from 'node:worker_threads';
import { reportToParent } from '../worker/bounded-worker';
import { replay, ReplayRequest, ReplayResult } from './replay-in-worker';

/** The rebuild, on a thread with a bounded heap (see replay-in-worker.ts). */
reportToParent<ProjectorProgress, ReplayResult>((progress) => replay(workerData as ReplayRequest, progress));
