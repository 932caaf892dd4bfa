import { Router } from 'express';

/** SKM survey pages and API (filled in by the surveys work). */
export function surveyRoutes(): Router {
  return Router();
}
