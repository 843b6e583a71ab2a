import { createOrg, type EmulatedOrg } from '../org/org.js';
import { generatedObjects, OBJECTS } from '../org/schema.js';

/**
 * What an emulated org is built from, when it is built from a seed: the same recipe gives the same
 * rows anywhere, so another thread can build its own copy and render what this one would.
 */
export interface OrgRecipe {
  seed: number;
  records: number;
  extraObjects: number;
  /** The login name every session runs as (it is written into the User row). */
  username: string;
}

/** The org of `recipe`; `now` is its clock (prepared queries read relative dates off it). */
export function orgFromRecipe(recipe: OrgRecipe, now?: () => number): EmulatedOrg {
  const org = createOrg({
    seed: recipe.seed,
    records: recipe.records,
    now,
    ...(recipe.extraObjects ? { objects: [...OBJECTS, ...generatedObjects(recipe.extraObjects)] } : {}),
  });
  org.setIntegrationUser(recipe.username);
  return org;
}
