"""The S3 console: what displaying ``cloud.s3`` shows in Jupyter.

As the default account sees S3 in the AWS console: the account and Region, the cost so far
(``cloud.meter.total("s3")``), the buckets (Region, versioning, objects, bytes), the objects
of the bucket chosen, controls to create a bucket, upload a file and delete an object (each
a real request through the pipeline, as the default account's root user), the live diagram
(the trace of the latest upload, or the architecture), and the recent requests.

It reads the model directly (the metadata DB, the bucket table, the trace log): looking at
the console makes no request, so it costs nothing and leaves no trace. It follows the cloud
(throttled, see :class:`awskit.widgets.core.LiveView`); a request that fails from a control
shows its AWS error in the status line, never a traceback. ``cloud.advance()`` makes no
request, so storage cost accrued by it shows at the next S3 request (or ``refresh()``).
"""

from __future__ import annotations

from ..diagrams import render as _render
from ..widgets import html as H
from ..widgets.core import LiveView, ipywidgets, weak

RECENT = 10                    # requests listed
MAX_OBJECTS = 100              # rows of the objects table
MAX_DELETE_CHOICES = 500       # keys offered by the delete control
UPLOAD, ARCHITECTURE = "Latest upload", "Architecture"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def bucket_rows(s3, account: str) -> list[tuple]:
    """(name, Region, versioning, current objects, their bytes) of the account's buckets."""
    rows = s3.metadata_db.execute(
        "SELECT b.bucket_name, b.region, COUNT(o.object_id), COALESCE(SUM(o.size), 0) "
        "FROM bucket b LEFT JOIN object o ON o.bucket_id = b.bucket_id AND o.is_latest = 1 "
        "AND o.is_delete_marker = 0 WHERE b.owner_account = ? GROUP BY b.bucket_id "
        "ORDER BY b.bucket_name", (account,)).fetchall()
    out = []
    for name, region, count, size in rows:
        bucket = s3.buckets.get(name)
        versioning = (bucket.versioning if bucket is not None else None) or "Disabled"
        out.append((name, region, versioning, count, size))
    return out


def describe(s3) -> str:
    """``Amazon S3 console (account 123456789012, us-east-1): 1 bucket, 2 objects, 1,024 bytes;
    $0.000010 so far``."""
    cloud = s3.cloud
    with cloud.lock:
        rows = bucket_rows(s3, cloud.default_account)
        cost = cloud.meter.total("s3")
    objects, size = sum(r[3] for r in rows), sum(r[4] for r in rows)
    return (f"Amazon S3 console (account {cloud.default_account}, {cloud.default_region}): "
            f"{_plural(len(rows), 'bucket')}, {_plural(objects, 'object')}, "
            f"{_plural(size, 'byte')}; ${cost:,.6f} so far")


def _bucket_of(trace) -> str:
    """The bucket an S3 request named (its summary is the request line, ``PUT /bucket/key``)."""
    _, _, path = trace.summary.partition(" ")
    return path.lstrip("/").split("/", 1)[0].split(" ", 1)[0]


def upload_traces(cloud) -> list:
    """The latest upload: the last PutObject trace, preceded by the CreateBucket trace of its
    bucket when the log still holds it (the seven steps); else the last CreateBucket; else []."""
    traces = [t for t in cloud.traces if t.service == "s3"]
    for i in range(len(traces) - 1, -1, -1):
        if traces[i].operation == "PutObject":
            put, bucket = traces[i], _bucket_of(traces[i])
            for j in range(i - 1, -1, -1):
                if traces[j].operation == "CreateBucket" and _bucket_of(traces[j]) == bucket:
                    return [traces[j], put]
            return [put]
    for t in reversed(traces):
        if t.operation == "CreateBucket":
            return [t]
    return []


def short_principal(arn: str) -> str:
    """``root``, ``user/alice``, ``assumed-role/reader/s1``, ``anonymous`` (or the service)."""
    if not arn:
        return "—"
    if arn == "*":
        return "anonymous"
    if arn.startswith("arn:"):
        resource = arn.split(":", 5)[5]
        return "root" if resource == "root" else resource
    return arn


def _time(trace) -> str:
    moment = trace.start
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d}"


class S3Console(LiveView):
    """The S3 console of ``cloud.s3`` (``cloud.s3.console()``; shown when ``cloud.s3`` is
    displayed). Python side: ``.bucket`` (the bucket chosen), ``.status`` (the last action's
    outcome), ``upload(...)``, ``delete(...)``, ``create_bucket(...)``, ``refresh()``."""

    describe = staticmethod(describe)

    def __init__(self, s3):
        super().__init__(s3.cloud)
        self.service = s3
        self.account = s3.cloud.default_account
        self._status_text, self._status_error = "", False
        self._rendering = False
        self._build()
        self.refresh()

    def wants(self, trace) -> bool:
        return trace.service == "s3"

    # -- widgets ----------------------------------------------------------------------------
    def _build(self) -> None:
        w = ipywidgets()
        full = w.Layout(width="100%")
        self._header = w.HTML(layout=full)
        self._buckets = w.HTML(layout=full)
        self._new_bucket = w.Text(placeholder="new bucket name", description="New bucket",
                                  style={"description_width": "90px"},
                                  layout=w.Layout(width="340px"))
        self._create = w.Button(description="Create bucket", icon="plus",
                                layout=w.Layout(width="140px"))
        self._bucket = w.Dropdown(options=[], description="Bucket",
                                  style={"description_width": "90px"},
                                  layout=w.Layout(width="340px"))
        self._objects = w.HTML(layout=full)
        self._file = w.FileUpload(multiple=False, description="Choose file",
                                  tooltip="Choose a file to upload",
                                  layout=w.Layout(width="140px"))
        self._key = w.Text(placeholder="key (default: the file's name)", description="Upload as",
                           style={"description_width": "90px"}, layout=w.Layout(width="340px"))
        self._upload = w.Button(description="Upload", icon="upload", button_style="primary",
                                layout=w.Layout(width="140px"))
        self._victim = w.Dropdown(options=[], description="Object",
                                  style={"description_width": "90px"},
                                  layout=w.Layout(width="340px"))
        self._delete = w.Button(description="Delete", icon="trash", button_style="danger",
                                layout=w.Layout(width="140px"))
        self._status = w.HTML(layout=full)
        self._choice = w.ToggleButtons(options=[UPLOAD, ARCHITECTURE], value=UPLOAD,
                                       style={"button_width": "130px"})
        self._diagram = w.HTML(layout=full)
        self._requests = w.HTML(layout=full)
        for widget, css in [(self._header, "awskit-s3-header"), (self._buckets, "awskit-buckets"),
                            (self._bucket, "awskit-bucket-select"),
                            (self._objects, "awskit-objects"), (self._file, "awskit-file"),
                            (self._key, "awskit-key"), (self._upload, "awskit-upload"),
                            (self._victim, "awskit-object-select"),
                            (self._delete, "awskit-delete"),
                            (self._new_bucket, "awskit-new-bucket"),
                            (self._create, "awskit-create-bucket"), (self._status, "awskit-status"),
                            (self._choice, "awskit-diagram-choice"),
                            (self._diagram, "awskit-diagram"), (self._requests, "awskit-requests")]:
            widget.add_class(css)
        self._create.on_click(weak(self._on_create))
        self._upload.on_click(weak(self._on_upload))
        self._delete.on_click(weak(self._on_delete))
        self._bucket.observe(weak(self._on_bucket), names="value")
        self._choice.observe(weak(self._on_choice), names="value")
        def row(*children):
            box = w.HBox(list(children), layout=w.Layout(align_items="center"))
            box.add_class("awskit-row")
            return box
        controls = w.VBox([row(self._new_bucket, self._create),
                           row(self._bucket),
                           self._objects,
                           row(self._key, self._file, self._upload),
                           row(self._victim, self._delete),
                           self._status], layout=full)
        controls.add_class("awskit-controls-box")
        self._finish([self._header, self._buckets, w.HTML(H.section("Objects")), controls,
                      w.HTML(H.section("Diagram")), self._choice, self._diagram,
                      self._requests], "awskit-s3-console")

    # -- rendering --------------------------------------------------------------------------
    def _render(self) -> None:
        cloud, s3 = self.cloud, self.service
        rows = bucket_rows(s3, self.account)
        others = sum(1 for b in s3.buckets.values() if b.owner != self.account)
        cost = cloud.meter.total("s3")
        requests = sum(n for (svc, _), n in cloud.meter.requests.items() if svc == "s3")
        self._header.value = (
            '<div class="awskit-header"><span class="awskit-title">Amazon S3</span>'
            f'<span class="awskit-meta">account {H.esc(self.account)} · '
            f'{H.esc(cloud.default_region)} · {_plural(requests, "request")}</span>'
            f'<span class="awskit-cost">${cost:,.6f} so far</span></div>')
        note = f" (+{_plural(others, 'bucket')} of other accounts, not shown)" if others else ""
        self._buckets.value = H.section("Buckets", f"{len(rows)}{note}") + H.scroll(H.table(
            ["Name", "Region", "Versioning", "Objects", "Bytes"],
            [(n, r, v, f"{c:,}", f"{b:,}") for n, r, v, c, b in rows],
            numeric=(3, 4), empty="No buckets yet: create one below or with create_bucket."))
        names = [r[0] for r in rows]
        chosen = self._bucket.value if self._bucket.value in names else self._default_bucket(names)
        self._rendering = True        # the selector's observer need not render as well
        try:
            self._bucket.options = names
            self._bucket.value = chosen
        finally:
            self._rendering = False
        self._render_objects()
        self._render_diagram()
        self._render_requests()

    def _default_bucket(self, names: list[str]) -> str | None:
        if not names:
            return None
        latest = upload_traces(self.cloud)
        recent = _bucket_of(latest[-1]) if latest else None
        return recent if recent in names else names[0]

    def _render_objects(self) -> None:
        name = self._bucket.value
        bucket = self.service.buckets.get(name) if name else None
        if bucket is None:
            self._objects.value = '<div class="awskit-empty">Choose a bucket.</div>'
            self._victim.options = []
            return
        db = self.service.metadata_db
        where = "FROM object WHERE bucket_id = ? AND is_latest = 1 AND is_delete_marker = 0"
        total = db.execute(f"SELECT COUNT(*) {where}", (bucket.bucket_id,)).fetchone()[0]
        rows = db.execute(f"SELECT object_name, size, storage_class, last_modified, version_id "
                          f"{where} ORDER BY object_name LIMIT ?",
                          (bucket.bucket_id, max(MAX_OBJECTS, MAX_DELETE_CHOICES))).fetchall()
        self._objects.value = H.scroll(H.table(
            ["Key", "Size (bytes)", "Storage class", "Last modified", "Version"],
            [(k, f"{s:,}", c, m[:19].replace("T", " ") + " UTC", v)
             for k, s, c, m, v in rows[:MAX_OBJECTS]],
            numeric=(1,), code=(4,), total=total, max_rows=MAX_OBJECTS,
            empty=f"No objects in {name} yet: upload one below or with put_object."))
        keys = [r[0] for r in rows[:MAX_DELETE_CHOICES]]
        keep = self._victim.value if self._victim.value in keys else (keys[0] if keys else None)
        self._victim.options = keys
        self._victim.value = keep

    def _render_diagram(self) -> None:
        traces = upload_traces(self.cloud) if self._choice.value == UPLOAD else []
        if traces:
            from ..diagrams import trace_diagram
            diagram = trace_diagram(traces)
            note = ("The latest upload, drawn from its traces. Display a trace "
                    "(<code>cloud.traces[-1]</code>) to step through it.")
        else:
            diagram = self.cloud.diagram()
            note = ("The architecture, drawn from <code>cloud.graph()</code>."
                    if self._choice.value == ARCHITECTURE else
                    "No upload yet: the architecture, drawn from <code>cloud.graph()</code>.")
        self._diagram.value = (H.diagram_html(diagram.svg(), diagram.source,
                                              hint=_render.INSTALL_HINT)
                               + f'<div class="awskit-more">{note}</div>')

    def _render_requests(self) -> None:
        recent = [t for t in self.cloud.traces if t.service == "s3"][-RECENT:][::-1]
        rows = []
        for t in recent:
            outcome = (H.Raw(f'<span class="awskit-ok">{t.status}</span>') if t.error is None else
                       H.Raw(f'<span class="awskit-err">{t.status} {H.esc(t.error)}</span>'))
            rows.append((_time(t), t.operation, H.Raw(
                f'<span title="{H.esc(t.principal)}">{H.esc(short_principal(t.principal))}'
                '</span>'), outcome, len(t.steps), f"{t.duration_ms:g}"))
        self._requests.value = H.section("Recent requests", f"last {len(rows)}") + H.table(
            ["Time (simulated, UTC)", "Operation", "Principal", "Status", "Steps", "ms"], rows,
            numeric=(4, 5), empty="No S3 requests yet.")

    def _show_problem(self, text: str) -> None:
        self._set_status(text, error=True)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status_text, self._status_error = text, error
        self._status.value = H.status(text, error=error)

    # -- events -----------------------------------------------------------------------------
    def _on_bucket(self, change) -> None:
        if self._rendering:
            return
        with self.cloud.lock:
            self._render_objects()

    def _on_choice(self, change) -> None:
        with self.cloud.lock:
            self._render_diagram()

    def _on_create(self, _button=None) -> None:
        self.create_bucket(self._new_bucket.value.strip())

    def _on_upload(self, _button=None) -> None:
        files = self._file.value
        if not files:
            self._set_status("Upload: choose a file first.", error=True)
            return
        item = files[0]
        if self.upload(bytes(item["content"]), self._key.value.strip() or item["name"],
                       content_type=item.get("type") or None):
            self._file.value = ()
            self._key.value = ""

    def _on_delete(self, _button=None) -> None:
        if not self._victim.value:
            self._set_status("Delete: choose an object first.", error=True)
            return
        self.delete(self._victim.value)

    # -- actions (each one real request, as the default account's root user) ----------------
    def _attempt(self, what: str, call):
        try:
            return call()
        except Exception as exc:     # shown, never raised: AWS errors, bad parameters, bugs
            code = getattr(exc, "code", None)
            message = " ".join(str(getattr(exc, "message", None) or exc).split())
            self._set_status(f"{what} failed: {code or type(exc).__name__}: {message}",
                             error=True)
            return None
        finally:
            self.refresh()

    @property
    def bucket(self) -> str | None:
        """The bucket the objects table and the upload/delete controls act on."""
        return self._bucket.value

    @bucket.setter
    def bucket(self, name: str) -> None:
        if name not in self._bucket.options:
            raise ValueError(f"no bucket {name!r} in account {self.account}")
        self._bucket.value = name

    @property
    def status(self) -> str:
        """The status line as text (the last action's outcome)."""
        return self._status_text

    def create_bucket(self, name: str) -> bool:
        """Create a bucket in the cloud's default Region (the "Create bucket" button)."""
        if not name:
            self._set_status("Create bucket: type a bucket name first.", error=True)
            return False
        region = self.cloud.default_region
        params = {"Bucket": name}
        if region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        done = self._attempt("CreateBucket", lambda: self.service.create_bucket(**params))
        if done is None:
            return False
        self._new_bucket.value = ""
        self._bucket.value = name
        self._set_status(f"Created bucket {name} in {region} "
                         f"(request {done['ResponseMetadata']['RequestId']}).")
        return True

    def upload(self, body: bytes, key: str, *, content_type: str | None = None) -> bool:
        """PutObject ``body`` as ``key`` into the chosen bucket (the "Upload" button)."""
        bucket = self._bucket.value
        if not bucket:
            self._set_status("Upload: create or choose a bucket first.", error=True)
            return False
        params = {"Bucket": bucket, "Key": key, "Body": body}
        if content_type:
            params["ContentType"] = content_type
        done = self._attempt("PutObject", lambda: self.service.put_object(**params))
        if done is None:
            return False
        version = done.get("VersionId")
        self._set_status(f"Uploaded {key} to {bucket}: {len(body):,} bytes, ETag {done['ETag']}"
                         + (f", version {version}" if version else "")
                         + f" (request {done['ResponseMetadata']['RequestId']}).")
        return True

    def delete(self, key: str) -> bool:
        """DeleteObject ``key`` from the chosen bucket (the "Delete" button)."""
        bucket = self._bucket.value
        if not bucket:
            self._set_status("Delete: choose a bucket first.", error=True)
            return False
        done = self._attempt("DeleteObject",
                             lambda: self.service.delete_object(Bucket=bucket, Key=key))
        if done is None:
            return False
        marker = (f": a delete marker (version {done.get('VersionId')}) now hides it"
                  if done.get("DeleteMarker") else "")
        self._set_status(f"Deleted {key} from {bucket}{marker} "
                         f"(request {done['ResponseMetadata']['RequestId']}).")
        return True

    def text(self) -> str:
        return describe(self.service)
