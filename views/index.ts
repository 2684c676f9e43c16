/**
 * Declarative views: definitions and the built-in library. Produces SQL; runs nothing.
 *
 * @module
 */
export { defineView, type View, type ViewContext, viewContext } from './define-view.ts';
export { eventsPerHour } from './library/events-per-hour.ts';
