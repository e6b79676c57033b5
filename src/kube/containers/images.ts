/**
 * What an image does when the pod spec gives no command: the defaults of well-known images (busybox's `sh`,
 * nginx's server on port 80), and for any other image a long-running service answering HTTP on its declared ports.
 */

export interface ImageDefaults {
  /** ENTRYPOINT (prefixed to args). */
  entrypoint: string[];
  /** CMD (used when neither command nor args is given). */
  cmd: string[];
  /** Ports a server image listens on even when the pod declares none. */
  ports: number[];
  /** The server's log lines at start-up. */
  startup: string[];
  /** The body of an HTTP answer. */
  page(path: string, port: number): { status: number; type: string; body: string };
  /** An access-log line for one request (nginx/httpd style), or none. */
  accessLog?(client: string, method: string, path: string, status: number, bytes: number, agent: string, when: Date): string;
}

const NGINX_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>
<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function clf(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const combinedLog: ImageDefaults['accessLog'] = (client, method, path, status, bytes, agent, when) =>
  `${client} - - [${clf(when)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "${agent}" "-"`;

const shell = (cmd: string): Partial<ImageDefaults> => ({ cmd: [cmd] });

const KNOWN: { repo: RegExp; defaults: Partial<ImageDefaults> }[] = [
  { repo: /^(busybox|alpine)$/, defaults: shell('sh') },
  { repo: /^(ubuntu|debian|fedora|centos|rockylinux|amazonlinux)$/, defaults: shell('bash') },
  {
    repo: /^nginx(-unprivileged)?$/,
    defaults: {
      cmd: ['nginx', '-g', 'daemon off;'],
      ports: [80],
      startup: [
        '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
        '/docker-entrypoint.sh: Configuration complete; ready for start up',
      ],
      page: (path) => (path === '/' || path === '/index.html' ? { status: 200, type: 'text/html', body: NGINX_PAGE } : { status: 404, type: 'text/html', body: '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n' }),
      accessLog: combinedLog,
    },
  },
  {
    repo: /^httpd$/,
    defaults: {
      cmd: ['httpd-foreground'],
      ports: [80],
      startup: ['AH00558: httpd: Could not reliably determine the server\'s fully qualified domain name', '[mpm_event:notice] AH00489: Apache/2.4 configured -- resuming normal operations'],
      page: () => ({ status: 200, type: 'text/html', body: '<html><body><h1>It works!</h1></body></html>\n' }),
      accessLog: combinedLog,
    },
  },
];

/** `docker.io/library/nginx:1.27` → `nginx`; `ghcr.io/acme/api@sha256:…` → `api`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0];
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0];
}

export function imageDefaults(image: string): ImageDefaults {
  const found = KNOWN.find((k) => k.repo.test(imageRepository(image)))?.defaults ?? {};
  return {
    entrypoint: found.entrypoint ?? [],
    cmd: found.cmd ?? ['k3sdaas-serve'],
    ports: found.ports ?? [],
    startup: found.startup ?? [`k3sdaas simulated ${imageRepository(image)}: no command given, serving HTTP on its declared ports until stopped`],
    page:
      found.page ??
      ((path, port) => ({ status: 200, type: 'text/plain', body: `k3sdaas simulated ${imageRepository(image)} on port ${port}: ${path}\n` })),
    accessLog: found.accessLog,
  };
}
