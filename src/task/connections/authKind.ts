/**
 * Which of the four supported ways to sign in an ARM service connection asks for. The agent
 * passes the connection's scheme (`ENDPOINT_AUTH_SCHEME_<id>`) and, for service principals,
 * `authenticationType` (`spnKey` or `spnCertificate`). As azure-arm-rest does, a missing scheme
 * means a service principal and a missing type means a secret.
 */
export type AuthKind = 'secret' | 'certificate' | 'managedIdentity' | 'workloadIdentity';

/** The kind, or undefined for a scheme this task cannot use (PublishProfile, UsernamePassword…). */
export function authKindOf(scheme: string | undefined, authenticationType: string | undefined): AuthKind | undefined {
  switch ((scheme ?? '').trim().toLowerCase()) {
    case '':
    case 'serviceprincipal':
      return (authenticationType ?? '').trim().toLowerCase() === 'spncertificate' ? 'certificate' : 'secret';
    case 'managedserviceidentity':
      return 'managedIdentity';
    case 'workloadidentityfederation':
      return 'workloadIdentity';
    default:
      return undefined;
  }
}
