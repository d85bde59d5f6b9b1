"""A real Python grpcio server for fedprobe's gRPC identity tests.

It serves the method tables generated (at test time, by protoc + grpc_python_plugin) from the
frameworks' own .proto files, vendored under test/fixtures/grpc/protos, and can install
interceptors that answer the way Flower's own do (modelled on Flower's code, not copied):

  node-auth         Fleet node authentication, Flower >= 1.23: every /flwr.proto.Fleet/ call
                    needs flwr-public-key-bin (PEM), flwr-timestamp (ISO 8601) and
                    flwr-signature-bin (ECDSA/SHA-256 of the timestamp); without them
                    UNAUTHENTICATED "Missing authentication metadata". A verified call goes on to
                    the method table, and an unregistered method then breaks the interceptor.
  node-auth-legacy  the same before 1.23, with node auth enabled: only listed keys get in,
                    any other key is UNAUTHENTICATED "Public key not recognized".
  control-auth      ControlAccountAuthInterceptor (Control API, always installed since 1.23):
                    wraps every /flwr.proto.Control/ handler; for a method it does not know it
                    raises, and grpcio answers UNKNOWN "Error in service handler!".
  appio-token       AppIoTokenServerInterceptor (ServerAppIo token policy, Flower 1.27+): a
                    method outside its policy is UNAUTHENTICATED "Authentication failed.".

Every servicer method records that it ran ("HANDLER <path>" on stdout) and answers
FAILED_PRECONDITION, so a test can prove that a probe ran no handler at all.
Run with --stubs DIR (protoc output). Prints "LISTENING <port>" once bound. Stops on SIGTERM or
when stdin closes (unless --ignore-stdin).
"""

import argparse
import asyncio
import datetime
import importlib
import importlib.util
import os
import signal
import sys
import threading
from concurrent import futures

import grpc
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# name -> (module of the generated stubs, service name in the .proto)
SERVICES = {
    "fleet": ("flwr.proto.fleet_pb2", "Fleet"),
    "control": ("flwr.proto.control_pb2", "Control"),
    "serverappio": ("flwr.proto.serverappio_pb2", "ServerAppIo"),
    "clientappio": ("flwr.proto.clientappio_pb2", "ClientAppIo"),
    "fedbiomed": ("fedbiomed.transport.protocols.researcher_pb2", "ResearcherService"),
    # Flower 1.15-1.20 name of the Control API (stubs from protos-flower-1.20 only).
    "exec": ("flwr.proto.exec_pb2", "Exec"),
}

# Flower's ServerAppIo token policy: the methods it knows (GetRun needs no token).
APPIO_POLICY = {"/flwr.proto.ServerAppIo/" + m for m in (
    "ListAppsToLaunch", "RequestToken", "GetRun", "SendAppHeartbeat", "PullAppInputs",
    "PushAppOutputs", "PushObject", "PullObject", "ConfirmMessageReceived", "UpdateRunStatus",
    "PushLogs", "GetFederationOptions", "PushMessages", "PullMessages", "GetNodes",
)}

LOCK = threading.Lock()
STUBS = ""
WATCH_STDIN = True
AIO = False  # grpc.aio (asyncio) server, as Fed-BioMed's researcher runs; Flower runs grpc.server


def say(line):
    with LOCK:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def trap(path):
    """A handler that only records that it ran: no probe may ever reach one."""

    def behaviour(_request, context):
        say("HANDLER " + path)
        context.abort(grpc.StatusCode.FAILED_PRECONDITION, "handler ran: " + path)

    async def aio_behaviour(_request, context):
        say("HANDLER " + path)
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "handler ran: " + path)

    return aio_behaviour if AIO else behaviour


def service_full_name(name):
    module_name, service_name = SERVICES[name]
    return importlib.import_module(module_name).DESCRIPTOR.services_by_name[service_name].full_name


class TrapServicer:
    """A servicer whose every method is a trap, for the generated add_<Service>Servicer_to_server."""

    def __init__(self, full_name):
        self.full_name = full_name

    def __getattr__(self, method):
        return trap("/%s/%s" % (self.full_name, method))


def add_service(server, name):
    """Registers the service exactly as the frameworks do: with the function grpc_python_plugin
    generated from their .proto (same paths, same request deserializers)."""
    module_name, service_name = SERVICES[name]
    grpc_module = importlib.import_module(module_name + "_grpc")
    add = getattr(grpc_module, "add_%sServicer_to_server" % service_name)
    add(TrapServicer(service_full_name(name)), server)


def health_handler(serving):
    """grpc.health.v1.Health/Check from the vendored health.proto (Debian ships no grpc_health)."""
    # Generated as grpc/health/v1/health_pb2.py, a name the grpcio package itself shadows.
    path = os.path.join(STUBS, "grpc", "health", "v1", "health_pb2.py")
    spec = importlib.util.spec_from_file_location("fedprobe_health_pb2", path)
    pb2 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pb2)

    def check(request, context):
        if request.service not in serving:
            context.set_code(grpc.StatusCode.NOT_FOUND)
            return pb2.HealthCheckResponse()
        return pb2.HealthCheckResponse(status=pb2.HealthCheckResponse.SERVING)

    async def aio_check(request, context):
        return check(request, context)

    return grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
        "Check": grpc.unary_unary_rpc_method_handler(
            aio_check if AIO else check,
            request_deserializer=pb2.HealthCheckRequest.FromString,
            response_serializer=pb2.HealthCheckResponse.SerializeToString,
        ),
    })


def terminator(message, code=grpc.StatusCode.UNAUTHENTICATED):
    """A handler without a request deserializer, as Flower's interceptors return to refuse a call."""

    def terminate(_request, context):
        context.abort(code, message)

    return grpc.unary_unary_rpc_method_handler(terminate)


def rewrap(handler, behaviour):
    """Flower's interceptors rewrap the real handler, keeping its (de)serializers. Like theirs,
    this reads attributes of `handler`, so an unregistered method (None) raises here."""
    make = grpc.unary_unary_rpc_method_handler if handler.unary_unary else grpc.unary_stream_rpc_method_handler
    return make(
        behaviour,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


class NodeAuth(grpc.ServerInterceptor):
    def __init__(self, known_keys=None, clock_skew=0.0):
        self.known_keys = known_keys  # None: Flower >= 1.23, any key that signs correctly
        self.clock_skew = datetime.timedelta(seconds=clock_skew)  # a SuperLink whose clock is off

    def intercept_service(self, continuation, details):
        if not details.method.startswith("/flwr.proto.Fleet/"):
            return continuation(details)
        metadata = dict(details.invocation_metadata)
        try:
            key_pem = metadata["flwr-public-key-bin"]
            timestamp = metadata["flwr-timestamp"]
            signature = metadata["flwr-signature-bin"]
        except KeyError:
            return terminator("Missing authentication metadata")
        if self.known_keys is not None and key_pem not in self.known_keys:
            return terminator("Public key not recognized")
        try:
            key = serialization.load_pem_public_key(key_pem)
            key.verify(signature, timestamp.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError):
            return terminator("Invalid signature")
        now = datetime.datetime.now(datetime.timezone.utc) + self.clock_skew
        age = now - datetime.datetime.fromisoformat(timestamp)
        if not -5 < age.total_seconds() < 305:
            return terminator("Invalid timestamp")
        handler = continuation(details)
        return rewrap(handler, handler.unary_unary)


class ControlAuth(grpc.ServerInterceptor):
    def intercept_service(self, continuation, details):
        if not details.method.startswith("/flwr.proto.Control/"):
            return continuation(details)
        handler = continuation(details)

        def behaviour(request, context):
            # Flower checks account tokens here; no probe reaches this point.
            call = handler.unary_unary or handler.unary_stream
            return call(request, context)

        return rewrap(handler, behaviour)


class AppIoToken(grpc.ServerInterceptor):
    def intercept_service(self, continuation, details):
        if details.method not in APPIO_POLICY:
            return terminator("Authentication failed.")
        handler = continuation(details)
        if handler is None:
            return terminator("Authentication failed.")
        return handler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--services", default="", help="comma-separated: " + ",".join(SERVICES))
    p.add_argument("--health", action="store_true", help="serve grpc.health.v1.Health/Check")
    p.add_argument("--interceptors", default="", help="node-auth,node-auth-legacy,control-auth,appio-token")
    p.add_argument("--known-key", action="append", default=[], help="PEM file (node-auth-legacy)")
    p.add_argument("--clock-skew", type=float, default=0.0, help="seconds added to the node-auth clock")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--aio", action="store_true", help="grpc.aio server (no interceptors)")
    p.add_argument("--ignore-stdin", action="store_true", help="stop on SIGTERM only")
    p.add_argument("--stubs", required=True, help="folder of the generated _pb2 modules")
    a = p.parse_args()
    global STUBS, AIO, WATCH_STDIN
    WATCH_STDIN = not a.ignore_stdin
    STUBS = a.stubs
    AIO = a.aio
    sys.path.insert(0, STUBS)

    interceptors = []
    for name in filter(None, a.interceptors.split(",")):
        if name == "node-auth":
            interceptors.append(NodeAuth(clock_skew=a.clock_skew))
        elif name == "node-auth-legacy":
            interceptors.append(NodeAuth({open(f, "rb").read() for f in a.known_key}))
        elif name == "control-auth":
            interceptors.append(ControlAuth())
        elif name == "appio-token":
            interceptors.append(AppIoToken())
        else:
            p.error("unknown interceptor " + name)

    names = [n for n in a.services.split(",") if n]
    health = health_handler({""} | {service_full_name(n) for n in names}) if a.health else None
    address = "%s:%d" % (a.host, a.port)
    creds = None
    if a.tls_cert:
        creds = grpc.ssl_server_credentials([(open(a.tls_key, "rb").read(), open(a.tls_cert, "rb").read())])
    if a.aio:
        if interceptors:
            p.error("--aio takes no interceptors")
        asyncio.run(serve_aio(names, health, address, creds))
    else:
        serve(names, health, interceptors, address, creds)


def bind(server, address, creds):
    port = server.add_secure_port(address, creds) if creds else server.add_insecure_port(address)
    if port == 0:
        sys.exit("could not bind " + address)
    return port


def until_stopped():
    """Set on SIGTERM, or when stdin closes (the test process that started us is gone)."""
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    if WATCH_STDIN:
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    return done


def register(server, names, health):
    for name in names:
        add_service(server, name)
    if health:
        server.add_generic_rpc_handlers((health,))


def serve(names, health, interceptors, address, creds):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), interceptors=interceptors)
    register(server, names, health)
    port = bind(server, address, creds)
    done = until_stopped()
    server.start()
    say("LISTENING %d" % port)
    done.wait()
    server.stop(0)


async def serve_aio(names, health, address, creds):
    server = grpc.aio.server()
    register(server, names, health)
    port = bind(server, address, creds)
    done = until_stopped()
    await server.start()
    say("LISTENING %d" % port)
    await asyncio.get_running_loop().run_in_executor(None, done.wait)
    await server.stop(0)


if __name__ == "__main__":
    main()
