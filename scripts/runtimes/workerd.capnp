# workerd's configuration for scripts/runtimes-check.sh: the Worker on loopback __WORKER_PORT__, its outbound
# requests allowed to loopback (where rerank serve listens).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local", "private", "public"]))
  ],
  sockets = [ (name = "http", address = "127.0.0.1:__WORKER_PORT__", http = (), service = "main") ]
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback"
);
