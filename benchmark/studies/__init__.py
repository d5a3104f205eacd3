"""Standalone studies that measure the system (speed, memory cost, decision quality, bounds).

Each is one `python -m benchmark.studies.<name>`; the harness never imports them. They print a
Markdown table (`benchmark.studies.output`) that the README quotes with its command.
"""
