"""Breaking changes between two releases of the contracts, by buf's wire rules: a message or
an RPC that callers use is not removed, a field number keeps its name, type and cardinality,
and a field that goes away leaves its number reserved (so it is never reused for something
else that an old peer would misread)."""

from __future__ import annotations

from google.protobuf import descriptor_pb2

_Messages = dict[str, descriptor_pb2.DescriptorProto]


def _messages(files: descriptor_pb2.FileDescriptorSet) -> _Messages:
    return {f"{file.package}.{m.name}": m for file in files.file for m in file.message_type}


def _methods(files: descriptor_pb2.FileDescriptorSet) -> dict[str, descriptor_pb2.MethodDescriptorProto]:
    return {
        f"{file.package}.{service.name}/{method.name}": method
        for file in files.file
        for service in file.service
        for method in service.method
    }


def _reserved(message: descriptor_pb2.DescriptorProto, number: int) -> bool:
    return any(span.start <= number < span.end for span in message.reserved_range)


def _shape(field: descriptor_pb2.FieldDescriptorProto) -> tuple[str, int, int, str, bool]:
    return (field.name, field.type, field.label, field.type_name, field.proto3_optional)


def breaking_changes(
    released: descriptor_pb2.FileDescriptorSet, current: descriptor_pb2.FileDescriptorSet
) -> list[str]:
    """What in `current` would break a peer built from `released` (empty: nothing)."""
    problems: list[str] = []
    now_methods = _methods(current)
    for name, method in _methods(released).items():
        new = now_methods.get(name)
        if new is None:
            problems.append(f"rpc {name} removed")
        elif (new.input_type, new.output_type) != (method.input_type, method.output_type):
            problems.append(f"rpc {name} changed its request or response type")
        elif (new.client_streaming, new.server_streaming) != (
            method.client_streaming,
            method.server_streaming,
        ):
            problems.append(f"rpc {name} changed between one response and a stream")
    now_messages = _messages(current)
    for name, message in _messages(released).items():
        new_message = now_messages.get(name)
        if new_message is None:
            problems.append(f"message {name} removed")
            continue
        by_number = {f.number: f for f in new_message.field}
        for field in message.field:
            new_field = by_number.get(field.number)
            if new_field is None:
                if not _reserved(new_message, field.number):
                    problems.append(
                        f"{name}.{field.name} (= {field.number}) removed without reserving its number"
                    )
            elif _shape(new_field) != _shape(field):
                problems.append(
                    f"{name} field {field.number} was {field.name} ({_shape(field)[1:]}), now "
                    f"{new_field.name} ({_shape(new_field)[1:]})"
                )
    return problems


def descriptor_set(*files: descriptor_pb2.FileDescriptorProto) -> descriptor_pb2.FileDescriptorSet:
    made = descriptor_pb2.FileDescriptorSet()
    made.file.extend(files)
    return made
