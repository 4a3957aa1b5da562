"""gRPC between the services: each service's Protocol is its contract. The proto file is
written from the Protocol's type hints (`proto_text`), messages are filled from and read into
the same pydantic types the in-process service takes and returns (`codec`), a generic
servicer serves any implementation of the Protocol (`server`) and a client implements it
over a channel (`client`). Nothing here knows a particular service."""
