/**
 * `npm run tls`: makes the lab's CA and nginx's certificate in `.lab/tls/` if they are missing or
 * due for renewal (`npm run up` does the same), and prints where they are. compose.yaml's nginx
 * mounts that directory.
 */
import { labTls } from '../infra/tls.ts';

const tls = labTls();
console.log(`CA certificate:     ${tls.caFile}`);
console.log(`server certificate: ${tls.certFile}`);
console.log(`server key:         ${tls.keyFile}`);
console.log(`Trust it: curl --cacert ${tls.caFile} …, or NODE_EXTRA_CA_CERTS=${tls.caFile} node …`);
