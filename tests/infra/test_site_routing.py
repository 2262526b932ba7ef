"""The CloudFront function in front of the site bucket, run in Node.js."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from infra.template import load

CASES = {
    "/": {"uri": "/index.html"},
    "/stis/sign/": {"uri": "/stis/sign/index.html"},
    "/es/stis/request/": {"uri": "/es/stis/request/index.html"},
    "/es": {"redirect": "/es/"},
    "/stis/sign": {"redirect": "/stis/sign/"},
    "/assets/javascripts/portal.js": {"uri": "/assets/javascripts/portal.js"},
    "/search/search_index.json": {"uri": "/search/search_index.json"},
    "/404.html": {"uri": "/404.html"},
}

RUNNER = """
%s
var cases = %s;
var results = {};
cases.forEach(function (uri) {
  var out = handler({request: {uri: uri, method: 'GET', querystring: {}, headers: {}}});
  results[uri] = out.statusCode ? {redirect: out.headers.location.value, status: out.statusCode}
                                : {uri: out.uri};
});
console.log(JSON.stringify(results));
"""


def test_directory_urls_serve_their_index_page() -> None:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("Node.js is not installed")
    code = load()["Resources"]["SiteIndexFunction"]["Properties"]["FunctionCode"]
    script = RUNNER % (code, json.dumps(sorted(CASES)))
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    results = json.loads(result.stdout)
    for uri, expected in CASES.items():
        got = dict(results[uri])
        if "redirect" in expected:
            assert got == {"redirect": expected["redirect"], "status": 301}, uri
        else:
            assert got == expected, uri
