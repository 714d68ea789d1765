
namespace Ingestd.Bench.Compare;

/// <summary>
/// nginx as the HTTP ceiling of the box: one worker, no master, reads each request body into
/// memory and throws it away, answers 202.
/// <para>
/// Why this configuration: <c>return 202</c> alone runs in the rewrite phase, before anything
/// reads the body; nginx then only <em>discards</em> it (drains the socket through a small scratch
/// buffer, possibly after answering), which is cheaper than what any ingest server must do.
/// <c>mirror</c> with <c>mirror_request_body on</c> makes nginx read the whole body into its
/// request-body buffer (<c>client_body_buffer_size 256k</c>, so in memory) before the content
/// phase; the mirror subrequest itself goes to an internal location that answers 204 without any
/// network hop. The content phase then hits the static module, which refuses POST with 405, and
/// <c>error_page 405 =202</c> turns that into the 202 with the Astralog body. Checked with
/// <c>client_body_in_file_only on</c>: each request leaves its full body in a temp file, so the
/// body really is read. No upstream, no proxy hop, no third-party module (Debian's nginx-light).
/// </para>
/// </summary>
internal static class NginxServer
{
    public const string Binary = "/usr/sbin/nginx";

    public static bool IsInstalled => File.Exists(Binary);

    /// <summary>Writes <c>nginx.conf</c> (and the empty static root) under <paramref name="dir"/>; returns nginx's arguments.</summary>
    public static string[] Prepare(string dir, int port)
    {
        Directory.CreateDirectory(Path.Combine(dir, "www"));
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        Directory.CreateDirectory(Path.Combine(dir, "body-temp"));
        File.WriteAllBytes(Path.Combine(dir, "www", "sink"), []);
        string conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, $$"""
            worker_processes 1;
            daemon off;
            master_process off;
            error_log {{dir}}/logs/error.log warn;
            pid {{dir}}/nginx.pid;
            events { worker_connections 4096; }
            http {
                access_log off;
                keepalive_requests 1000000;
                client_max_body_size 64m;
                client_body_buffer_size 256k;
                client_body_temp_path {{dir}}/body-temp;
                server {
                    listen 127.0.0.1:{{port}} backlog=4096;
                    root {{dir}}/www;
                    location / {
                        # Read the whole body into memory before the content phase.
                        mirror /_read_body;
                        mirror_request_body on;
                        # The static file refuses POST with 405; answer that with 202 instead.
                        rewrite ^ /sink break;
                        error_page 405 =202 @accepted;
                    }
                    location = /_read_body { internal; return 204; }
                    location @accepted { default_type application/json; return 202 '{"status":"accepted"}'; }
                }
            }
            """);
        return ["-c", conf, "-p", dir];
    }
}
