using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sosyabot.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PostMetrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "channel_metrics_usage",
                columns: table => new
                {
                    channel_id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    requests = table.Column<long>(type: "bigint", nullable: false),
                    posts_read = table.Column<long>(type: "bigint", nullable: false),
                    last_fetched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    paused_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_channel_metrics_usage", x => x.channel_id);
                    table.ForeignKey(
                        name: "FK_channel_metrics_usage_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "metric_snapshots",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    post_id = table.Column<Guid>(type: "uuid", nullable: false),
                    delivery_id = table.Column<Guid>(type: "uuid", nullable: false),
                    channel_id = table.Column<Guid>(type: "uuid", nullable: false),
                    tweet_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    fetched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    impressions = table.Column<long>(type: "bigint", nullable: false),
                    likes = table.Column<long>(type: "bigint", nullable: false),
                    reposts = table.Column<long>(type: "bigint", nullable: false),
                    replies = table.Column<long>(type: "bigint", nullable: false),
                    quotes = table.Column<long>(type: "bigint", nullable: false),
                    bookmarks = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_metric_snapshots", x => x.id);
                    table.ForeignKey(
                        name: "FK_metric_snapshots_deliveries_delivery_id",
                        column: x => x.delivery_id,
                        principalTable: "deliveries",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_metric_snapshots_workspaces_workspace_id",
                        column: x => x.workspace_id,
                        principalTable: "workspaces",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "workspace_analytics",
                columns: table => new
                {
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    metrics_enabled = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by_user_id = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workspace_analytics", x => x.workspace_id);
                    table.ForeignKey(
                        name: "FK_workspace_analytics_workspaces_workspace_id",
                        column: x => x.workspace_id,
                        principalTable: "workspaces",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_channel_metrics_usage_workspace_id",
                table: "channel_metrics_usage",
                column: "workspace_id");

            migrationBuilder.CreateIndex(
                name: "IX_metric_snapshots_delivery_id_fetched_at",
                table: "metric_snapshots",
                columns: new[] { "delivery_id", "fetched_at" });

            migrationBuilder.CreateIndex(
                name: "IX_metric_snapshots_workspace_id_fetched_at",
                table: "metric_snapshots",
                columns: new[] { "workspace_id", "fetched_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "channel_metrics_usage");

            migrationBuilder.DropTable(
                name: "metric_snapshots");

            migrationBuilder.DropTable(
                name: "workspace_analytics");
        }
    }
}
