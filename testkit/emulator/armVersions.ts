/**
 * Which api-versions ARM accepts on each route, and its 400 for any other. ARM answers an
 * unknown version of its own resources (subscriptions, the generic resources list) with
 * `InvalidApiVersionParameter` and the versions it knows, and one of a resource provider's
 * types with `NoRegisteredProviderFound`, naming the location, the type, the versions and the
 * locations (both forms as recorded in public issues, 2016–2024).
 *
 * The lists: Microsoft.ContainerRegistry's as ARM printed them in November 2024 plus the
 * versions published since (2024-11-01-preview to 2025-11-01; the SDK sends 2025-11-01, az 2.45
 * 2022-02-01-preview, the recordings 2019-12-01-preview, 2021-06-01-preview and
 * 2023-01-01-preview); Microsoft.Resources' as ARM printed them in 2024 (az 2.45 lists
 * subscriptions with 2019-11-01 and resources with 2021-04-01); Microsoft.Authorization's
 * permissions API as its REST specs publish it (the product sends 2022-04-01).
 */
import { armError } from './armAuth';
import type { Reply } from './http';

export const CONTAINER_REGISTRY_VERSIONS: readonly string[] = [
  '2017-03-01', '2017-10-01', '2019-05-01', '2019-12-01-preview', '2020-11-01-preview', '2021-06-01-preview', '2021-08-01-preview',
  '2021-09-01', '2021-12-01-preview', '2022-02-01-preview', '2022-12-01', '2023-01-01-preview', '2023-06-01-preview', '2023-07-01',
  '2023-08-01-preview', '2023-11-01-preview', '2024-11-01-preview', '2025-03-01-preview', '2025-04-01', '2025-05-01-preview',
  '2025-06-01-preview', '2025-11-01',
];

export const RESOURCES_VERSIONS: readonly string[] = [
  '2024-08-01', '2024-06-01-preview', '2024-03-01', '2023-07-01', '2023-07-01-preview', '2023-03-01-preview', '2022-12-01',
  '2022-11-01-preview', '2022-09-01', '2022-06-01', '2022-05-01', '2022-03-01-preview', '2022-01-01', '2021-04-01', '2021-01-01',
  '2020-10-01', '2020-09-01', '2020-08-01', '2020-07-01', '2020-06-01', '2020-05-01', '2020-01-01', '2019-11-01', '2019-10-01',
  '2019-09-01', '2019-08-01', '2019-07-01', '2019-06-01', '2019-05-10', '2019-05-01', '2019-03-01', '2018-11-01', '2018-09-01',
  '2018-08-01', '2018-07-01', '2018-06-01', '2018-05-01', '2018-02-01', '2018-01-01', '2017-12-01', '2017-08-01', '2017-06-01',
  '2017-05-10', '2017-05-01', '2017-03-01', '2016-09-01', '2016-07-01', '2016-06-01', '2016-02-01', '2015-11-01', '2015-01-01',
  '2014-04-01-preview', '2014-04-01', '2014-01-01', '2013-03-01', '2014-02-26', '2014-04',
];

export const PERMISSIONS_VERSIONS: readonly string[] = ['2015-07-01', '2018-01-01-preview', '2022-04-01', '2022-05-01-preview'];

/** ACR's regions as ARM listed them (the 2017 recording's list). */
const ACR_LOCATIONS =
  'westus, eastus, southcentralus, westeurope, northeurope, uksouth, ukwest, australiaeast, australiasoutheast, centralindia, eastasia, japaneast, japanwest, southeastasia, southindia, brazilsouth, canadaeast, canadacentral, centralus, eastus2, northcentralus, westcentralus, westus2';

/** What a route is, for its api-version check. */
export type VersionedType =
  | { kind: 'resources' }
  | { kind: 'provider'; type: string; versions: readonly string[]; location: string };

const known = (versions: readonly string[], asked: string): boolean => versions.some((v) => v.toLowerCase() === asked.toLowerCase());

/** ARM's refusal of an api-version the route does not know, or undefined. */
export function unsupportedApiVersion(asked: string, what: VersionedType): Reply | undefined {
  if (what.kind === 'resources') {
    if (known(RESOURCES_VERSIONS, asked)) return undefined;
    return armError(400, 'InvalidApiVersionParameter', `The api-version '${asked}' is invalid. The supported versions are '${RESOURCES_VERSIONS.join(',')}'.`);
  }
  if (known(what.versions, asked)) return undefined;
  const locations = what.type === 'permissions' ? '' : ACR_LOCATIONS;
  return armError(
    400,
    'NoRegisteredProviderFound',
    `No registered resource provider found for location '${what.location}' and API version '${asked}' for type '${what.type}'. The supported api-versions are '${what.versions.join(', ')}'. The supported locations are '${locations}'.`,
  );
}
