// validate.js - checks api/openapi.yaml with a real OpenAPI validator
// (@apidevtools/swagger-parser) and then that the aggregator's live answers
// match it: node validate.js SPEC CAPTURES.json, where CAPTURES is a list
// of {method, path (the template, e.g. /v1/subnets/{id}/query), status,
// headers (lower-case names), body (text)}. Prints PASS/FAIL lines; exits 1
// on any failure. Used by tests/e2e/aggregator.sh.
"use strict";
const fs = require("fs");
const SwaggerParser = require("@apidevtools/swagger-parser");
const Ajv = require("ajv");

// OpenAPI 3.0 "nullable: true" is not JSON Schema: make it a type union.
function toJsonSchema(s) {
    if (Array.isArray(s)) return s.map(toJsonSchema);
    if (!s || typeof s !== "object") return s;
    const out = {};
    for (const [k, v] of Object.entries(s)) {
        if (k === "nullable" || k === "example") continue;
        out[k] = toJsonSchema(v);
    }
    if (s.nullable && typeof s.type === "string") out.type = [s.type, "null"];
    return out;
}

async function main() {
    const [specPath, capturesPath] = process.argv.slice(2);
    let failures = 0;
    const fail = (m) => { console.log("FAIL: " + m); failures++; };
    let api;
    try {
        api = await SwaggerParser.validate(specPath);
        console.log("PASS: " + specPath + " is a valid OpenAPI " + api.openapi + " document");
    } catch (e) {
        fail("the OpenAPI document: " + e.message);
        process.exit(1);
    }
    const ajv = new Ajv({ strict: false, allErrors: true });
    const captures = JSON.parse(fs.readFileSync(capturesPath, "utf8"));
    for (const c of captures) {
        const what = `${c.method.toUpperCase()} ${c.path} ${c.status}`;
        const op = (api.paths[c.path] || {})[c.method.toLowerCase()];
        if (!op) { fail(what + ": not in the document"); continue; }
        const resp = op.responses[String(c.status)];
        if (!resp) { fail(what + ": status not documented"); continue; }
        for (const h of Object.keys(resp.headers || {})) {
            const name = h.toLowerCase();
            if (name === "www-authenticate" || name.startsWith("ratelimit-") ||
                name === "retry-after" || name === "x-cache" || name === "cache-control") {
                if (!(name in c.headers)) fail(`${what}: documented header ${h} missing`);
            }
        }
        const type = (c.headers["content-type"] || "").split(";")[0].trim();
        const media = (resp.content || {})[type];
        if (!media) { fail(`${what}: content type ${type} not documented`); continue; }
        if (type !== "application/json") { console.log("PASS: " + what); continue; }
        let body;
        try { body = JSON.parse(c.body); } catch (e) { fail(what + ": body is not JSON"); continue; }
        const validate = ajv.compile(toJsonSchema(media.schema));
        if (validate(body)) console.log("PASS: " + what + " matches its schema");
        else fail(`${what}: ${ajv.errorsText(validate.errors)} in ${c.body.slice(0, 200)}`);
    }
    process.exit(failures ? 1 : 0);
}
main().catch((e) => { console.log("FAIL: " + e.stack); process.exit(1); });
