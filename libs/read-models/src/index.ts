export { PROJECTIONS, isProjectionName } from './read-model.store';
export type { ProjectionName, ProjectionState, ReadModelStore, RestatementFilter } from './read-model.store';
export { openReadModelStore } from './open-read-model-store';
export { Projector, documentsOf } from './projector';
export type { ProjectorOptions, ProjectorProgress, RebuildResult } from './projector';
export { computeView, frameOf, forEachInBusinessOrder } from './store-views';
export type { ViewRequest } from './store-views';
export { viewEventOf } from './view-event-of';
export { combinedDigest, digestOf } from './digest';
