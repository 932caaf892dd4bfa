import { Router } from 'express';

/** Citizen intake, receipt and tracking pages and API. */
export function feedbackRoutes(): Router {
  return Router();
}
