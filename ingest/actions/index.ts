export type { ActionCall, ActionHandler, ActionOutcome, HandlerContext } from './action-types.ts';
export { type Actions, type ActionsConfig, createActions } from './create-actions.ts';
export { undoAction } from './undo-action.ts';
