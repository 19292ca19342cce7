# Varnish in front of Quire: public responses cached for their s-maxage, purged by surrogate key.
# Quire names what each response holds in Surrogate-Key and, with PURGE_URLS pointing here, sends
# `PURGE /` with an `xkey` header listing exactly the keys a change touched (vmod xkey, Debian's
# varnish-modules package).
vcl 4.1;

import xkey;

backend quire {
    .host = "127.0.0.1";
    .port = "3000";
}

# Who may purge: Quire's own hosts. Widen to the addresses your Quire processes send from.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "An xkey header is required"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.x-purged + " objects"));
    }
    # Management calls carry a bearer key: the built-in logic passes them (never cached).
}

sub vcl_backend_response {
    # Index each object under the keys Quire named, so a purge by key finds it.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.xkey;
}
