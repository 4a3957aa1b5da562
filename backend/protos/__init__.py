"""The services' gRPC contracts: one proto package per service
(`investment_pools/<service>/v1/<service>.proto`), written from each service's Protocol by
`python app.py rpc protos`, the Python modules protoc (grpcio-tools, pinned in
requirements-test.txt) makes from them, and `released.binpb`, the descriptor set of the last
release that breaking changes are checked against. Nothing here is edited by hand."""
