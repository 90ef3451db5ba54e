"""A Mermaid diagram of a flow, drawn from its definition so it cannot drift from it."""

from dialogs.model import RETURN, Flow


def mermaid(flow: Flow) -> str:
    lines = ["flowchart TD"]
    for node in flow.nodes.values():
        lines.append(f"  {node.id}[\"{node.id} ({node.kind})\"]")
        for route in node.routes:
            condition = ", ".join(f"{k}={list(v)}" for k, v in route.when.items())
            arrow = f"-- {condition} -->" if condition else "-->"
            lines.append(f"  {node.id} {arrow} {_target(route.to)}")
        for choice in node.choices:
            if choice.next:
                lines.append(f"  {node.id} -- {choice.id} --> {_target(choice.next)}")
    return "\n".join(lines)


def _target(node_id: str) -> str:
    return "back_to_caller((back))" if node_id == RETURN else node_id
