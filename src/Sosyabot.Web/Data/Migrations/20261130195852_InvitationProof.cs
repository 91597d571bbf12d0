using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sosyabot.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class InvitationProof : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "proves_email",
                table: "workspace_invitations",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "proves_email",
                table: "workspace_invitations");
        }
    }
}
