using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sosyabot.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class PostLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_posts_workspace_id_created_at",
                table: "posts");

            migrationBuilder.DropIndex(
                name: "IX_deliveries_state_due_at",
                table: "deliveries");

            migrationBuilder.AddColumn<List<Guid>>(
                name: "draft_channel_ids",
                table: "posts",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<bool>(
                name: "is_draft",
                table: "posts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "updated_at",
                table: "posts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<uint>(
                name: "xmin",
                table: "posts",
                type: "xid",
                rowVersion: true,
                nullable: false,
                defaultValue: 0u);

            migrationBuilder.AlterColumn<byte[]>(
                name: "bytes",
                table: "post_media",
                type: "bytea",
                nullable: true,
                oldClrType: typeof(byte[]),
                oldType: "bytea");

            migrationBuilder.AddColumn<int>(
                name: "length",
                table: "post_media",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.Sql("UPDATE post_media SET length = octet_length(bytes);");

            migrationBuilder.AddColumn<bool>(
                name: "cancel_requested",
                table: "deliveries",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "deleted_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "held_at",
                table: "deliveries",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "publishing_leases",
                columns: table => new
                {
                    channel_id = table.Column<Guid>(type: "uuid", nullable: false),
                    held_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    held_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_publishing_leases", x => x.channel_id);
                    table.ForeignKey(
                        name: "FK_publishing_leases_channels_channel_id",
                        column: x => x.channel_id,
                        principalTable: "channels",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_posts_workspace_id_is_draft_due_at_id",
                table: "posts",
                columns: new[] { "workspace_id", "is_draft", "due_at", "id" },
                descending: new[] { false, false, true, true });

            migrationBuilder.CreateIndex(
                name: "IX_deliveries_state_due_at_id",
                table: "deliveries",
                columns: new[] { "state", "due_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "publishing_leases");

            migrationBuilder.DropIndex(
                name: "IX_posts_workspace_id_is_draft_due_at_id",
                table: "posts");

            migrationBuilder.DropIndex(
                name: "IX_deliveries_state_due_at_id",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "draft_channel_ids",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "is_draft",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "updated_at",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "xmin",
                table: "posts");

            migrationBuilder.DropColumn(
                name: "length",
                table: "post_media");

            migrationBuilder.DropColumn(
                name: "cancel_requested",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "deleted_at",
                table: "deliveries");

            migrationBuilder.DropColumn(
                name: "held_at",
                table: "deliveries");

            migrationBuilder.AlterColumn<byte[]>(
                name: "bytes",
                table: "post_media",
                type: "bytea",
                nullable: false,
                defaultValue: new byte[0],
                oldClrType: typeof(byte[]),
                oldType: "bytea",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_posts_workspace_id_created_at",
                table: "posts",
                columns: new[] { "workspace_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "IX_deliveries_state_due_at",
                table: "deliveries",
                columns: new[] { "state", "due_at" });
        }
    }
}
